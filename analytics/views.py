"""Network and entity pages (server-rendered, audited, records from `visible_to` only)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from ads.models import Ad, Entity
from audit.models import Action
from audit.services import audit_request
from core.filters import page_number

from . import selectors, services
from .filters import NetworkFilter
from .models import Network

NETWORKS_PER_PAGE = 50


@require_GET
def network_list(request: HttpRequest) -> HttpResponse:
    filters = NetworkFilter(request.GET, user=request.user)
    page = page_number(request)
    rows = selectors.networks_for(
        user=request.user,
        queryset=filters.qs,
        offset=(page - 1) * NETWORKS_PER_PAGE,
        limit=NETWORKS_PER_PAGE + 1,
    )
    networks, has_next = rows[:NETWORKS_PER_PAGE], len(rows) > NETWORKS_PER_PAGE
    audit_request(
        request,
        action=Action.LIST,
        object_type="network",
        detail={"networks": [n.pk for n in networks], "filters": filters.as_detail()},
        seen={"network": [n.pk for n in networks]},
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "analytics/network_list.html",
        {
            "networks": networks,
            "filters": filters,
            "page": page,
            "has_next": has_next,
            "first": (page - 1) * NETWORKS_PER_PAGE + 1,
            "last": (page - 1) * NETWORKS_PER_PAGE + len(networks),
            "query": params.urlencode(),
        },
    )


@require_GET
def network_page(request: HttpRequest, pk: int) -> HttpResponse:
    network = get_object_or_404(Network.objects.visible_to(request.user), pk=pk)
    current = selectors.network_resolve(network)
    if current.pk != network.pk:
        # Merged networks keep their id for old links and case notes; the ads live on here.
        return redirect("analytics:network", pk=current.pk)
    detail = selectors.network_detail(user=request.user, network=network)
    audit_request(
        request,
        action=Action.VIEW,
        object_type="network",
        object_id=network.pk,
        detail={"ads": [ad.pk for ad in detail.ads], "hidden": detail.hidden_count},
        seen={"network": [network.pk], "ad": [ad.pk for ad in detail.ads]},
    )
    context = {
        "d": detail,
        "network": network,
        "features": network.features or {},
        "graph_kinds": [(kind.value, kind.label) for kind in selectors.LINKED_KINDS],
    }
    return render(request, "analytics/network.html", context)


@require_GET
def entity_page(request: HttpRequest, pk: int) -> HttpResponse:
    entity = get_object_or_404(Entity.objects.visible_to(request.user), pk=pk)
    detail = selectors.entity_detail(user=request.user, entity=entity)
    audit_request(
        request,
        action=Action.VIEW,
        object_type="entity",
        object_id=entity.pk,
        detail={"ads": [ad.pk for ad in detail.ads]},
        seen={"entity": [entity.pk], "ad": [ad.pk for ad in detail.ads]},
    )
    return render(request, "analytics/entity.html", {"d": detail, "entity": entity})


@require_POST
def network_split(request: HttpRequest, pk: int) -> HttpResponse:
    """Put the checked ads apart from the network (one: detach; several: split), with a reason."""
    network = get_object_or_404(Network.objects.visible_to(request.user), pk=pk)
    ids = [int(v) for v in request.POST.getlist("ads") if v.isdigit()]
    ads = list(
        Ad.objects.visible_to(request.user).filter(pk__in=ids, network_membership__network=network)
    )
    if len(ads) != len(set(ids)):
        messages.error(request, "Only ads of this network that you can see can be put apart.")
        return redirect("analytics:network", pk=network.pk)
    try:
        correction = services.network_correct(
            network=network, ads=ads, by=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("analytics:network", pk=network.pk)
    messages.success(
        request,
        f"{correction.get_kind_display()}: {len(correction.apart)} ad"
        f"{'' if len(correction.apart) == 1 else 's'} put apart, "
        f"{correction.links_removed} links removed.",
    )
    return redirect("analytics:network", pk=network.pk)
