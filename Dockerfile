# One image for web, worker and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 curl fonts-dejavu-core fonts-symbola && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY config ./config
COPY core ./core
COPY accounts ./accounts
COPY audit ./audit
COPY ads ./ads
COPY analytics ./analytics
COPY maps ./maps
COPY partners ./partners
COPY cases ./cases
COPY api ./api
COPY demo ./demo
# The CPU build of PyTorch; the default index would pull a multi-GB CUDA build.
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu "torch==2.13.0" && pip install .
COPY . .
RUN useradd --system --uid 10001 app && mkdir -p /app/var && chown -R app /app/var
USER app
RUN DJANGO_ENV=development python manage.py collectstatic --noinput -v0
EXPOSE 8000
# gunicorn reads GUNICORN_CMD_ARGS: 2 processes x 4 threads suits browsers talking to it directly;
# behind a buffering reverse proxy, "--workers 4 --threads 1" serves the API with a much shorter
# tail on 2 cores (docs/bench-api.md).
ENV GUNICORN_CMD_ARGS="--workers 2 --threads 4"
CMD ["gunicorn", "config.wsgi", "-b", "0.0.0.0:8000", "--access-logfile", "-"]
