"""Queue items and their triage history, decisions the model learns from, cases, watchlists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Case as CaseWhen
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from ads.models import Ad, Entity, Source
from analytics.models import Network
from core.access import visibility_preamble

if TYPE_CHECKING:
    from accounts.models import User


class ItemKind(models.TextChoices):
    AD = "ad", "Single ad"
    NETWORK = "network", "Network of ads"


class ItemStatus(models.TextChoices):
    NEW = "new", "New"
    IN_REVIEW = "in_review", "In review"
    ESCALATED = "escalated", "Escalated to a case"
    DISMISSED = "dismissed", "Dismissed"


OPEN_STATUSES = (ItemStatus.NEW, ItemStatus.IN_REVIEW)


class DecisionKind(models.TextChoices):
    TRUE_LEAD = "true_lead", "True lead"
    NOT_A_LEAD = "not_a_lead", "Not a lead"
    POSSIBLE_MINOR_CONFIRMED = "possible_minor_confirmed", "Possible minor confirmed"


class QueueItemQuerySet(models.QuerySet["QueueItem"]):
    def visible_to(self, user: User) -> QueueItemQuerySet:
        """An item is visible when one of its ads comes from a source the user may see.

        Ads are visible by their source (`Ad.objects.visible_to`), so an item keeps the set of its
        ads' sources (QueueItemSource, written by the queue stage) and visibility is decided by
        the live `Source.objects.visible_to`: a source moved to another unit takes its items
        along at once. Checking sources row by row keeps the queue an index walk at a million
        ads instead of a scan of every visible ad (docs/bench-pages.md).
        """
        if (decided := visibility_preamble(self, user)) is not None:
            return decided
        sources = QueueItemSource.objects.filter(
            item_id=OuterRef("pk"), source__in=Source.objects.visible_to(user)
        )
        return self.filter(Exists(sources))

    def open(self) -> QueueItemQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def with_seen_figures(self, user: User | None) -> QueueItemQuerySet:
        """Annotate the figures the queue orders and filters by, as `user` may see them:
        `seen_priority`, `seen_last_seen_at`, `seen_size`, `seen_risk`, `seen_possible_minor`.

        An item with ads in sources the user may not see takes them from its visible sources'
        rows (QueueItemSource), so neither its place in the queue nor a filter reveals anything
        of the hidden ads (issue #19 H1); every other item keeps its stored figures. A user who
        sees every source gets the stored columns as they are, and the page stays an index walk.
        """
        from cases.stages import queue_priority_expression

        stored = {
            "seen_priority": F("priority"),
            "seen_last_seen_at": F("last_seen_at"),
            "seen_size": F("size"),
            "seen_risk": F("risk"),
            "seen_possible_minor": F("possible_minor"),
        }
        visible = list(Source.objects.visible_to(user).values_list("pk", flat=True)) if user else []
        if user is None or not Source.objects.exclude(pk__in=visible).exists():
            return self.annotate(**stored)
        # Per item, an index probe for a hidden source row; only the items that have one pay
        # for the composition (a grouped read of their few visible rows). A join grouped over
        # every open item cost 200 ms at 1M ads (docs/bench-pages.md).
        hidden = Exists(
            QueueItemSource.objects.filter(item_id=OuterRef("pk")).exclude(source_id__in=visible)
        )
        shown = QueueItemSource.objects.filter(item_id=OuterRef("pk"), source_id__in=visible)
        minor_flag = CaseWhen(
            When(GreaterThan(Count("pk", filter=Q(possible_minor=True)), 0), then=Value(True)),
            default=Value(False),
        )
        size = Coalesce(Sum("size"), Value(0), output_field=models.IntegerField())
        parts = {
            "seen_size": size,
            "seen_risk": Max("risk"),
            "seen_possible_minor": minor_flag,
            "seen_last_seen_at": Max("last_seen_at"),
            "seen_priority": queue_priority_expression(
                risk=Max("risk"), possible_minor=minor_flag, size=size
            ),
        }

        def seen(name: str) -> CaseWhen:
            composed = shown.values("item_id").annotate(v=parts[name]).values("v")
            value = Subquery(composed, output_field=stored_fields[name])
            if name == "seen_last_seen_at":
                value = Coalesce(value, F("last_seen_at"))
            return CaseWhen(
                When(hidden, then=value), default=stored[name], output_field=stored_fields[name]
            )

        stored_fields = {
            "seen_size": models.IntegerField(),
            "seen_risk": models.FloatField(),
            "seen_possible_minor": models.BooleanField(),
            "seen_last_seen_at": models.DateTimeField(),
            "seen_priority": models.FloatField(),
        }
        return self.annotate(**{name: seen(name) for name in stored})

    def with_visible_lead(self, user: User) -> QueueItemQuerySet:
        """Annotate `lead_ad_visible`: whether the user may see the item's lead ad. A network's
        lead ad can come from another unit's source; its id is then not shown (issue #19 H1)."""
        return self.annotate(
            lead_ad_visible=Exists(Ad.objects.visible_to(user).filter(pk=OuterRef("lead_ad_id")))
        )


class QueueItem(models.Model):
    """One thing to review: a flagged ad, or a whole network reviewed once for all its ads."""

    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    ad = models.OneToOneField(
        Ad, null=True, blank=True, on_delete=models.CASCADE, related_name="queue_item"
    )
    network = models.OneToOneField(
        Network, null=True, blank=True, on_delete=models.CASCADE, related_name="queue_item"
    )
    # The ad shown first for a network: its highest-risk member.
    lead_ad = models.ForeignKey(
        Ad, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copied from scores and locations when the queue stage runs, so the queue reads one table.
    priority = models.FloatField(default=0.0)
    risk = models.FloatField(null=True, blank=True)
    minor = models.FloatField(null=True, blank=True)
    possible_minor = models.BooleanField(default=False)
    size = models.PositiveIntegerField(default=1)
    last_seen_at = models.DateTimeField(default=timezone.now)
    location = models.CharField(max_length=300, blank=True)
    # Space-delimited (" a b ") so that one indicator filters with a portable `contains`.
    indicator_codes = models.CharField(max_length=1000, blank=True)
    reason = models.TextField(blank=True)
    title = models.CharField(max_length=300, blank=True)

    status = models.CharField(max_length=12, choices=ItemStatus.choices, default=ItemStatus.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queue_items",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    decision = models.ForeignKey(
        "Decision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.ForeignKey(
        "Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="queue_items"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = QueueItemQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="queue_item_target_matches_kind",
                condition=(
                    Q(kind="ad", ad__isnull=False, network__isnull=True)
                    | Q(kind="network", network__isnull=False, ad__isnull=True)
                ),
            ),
        ]
        indexes = [
            # The queue page reads open items in priority (or recency) order and stops after a
            # page: partial indexes in exactly that order make it an index walk (bench/pages.py).
            models.Index(
                F("priority").desc(),
                F("last_seen_at").desc(),
                F("id").desc(),
                name="queue_open_priority",
                condition=Q(status__in=["new", "in_review"]),
            ),
            models.Index(
                F("last_seen_at").desc(),
                F("id").desc(),
                name="queue_open_recent",
                condition=Q(status__in=["new", "in_review"]),
            ),
            models.Index(
                fields=["status", "-priority", "-last_seen_at"], name="queue_status_priority"
            ),
            models.Index(fields=["assignee", "status"], name="queue_assignee_status"),
        ]

    def __str__(self) -> str:
        target = f"ad {self.ad_id}" if self.kind == ItemKind.AD else f"network {self.network_id}"
        return f"item {self.pk} ({target}, {self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Fields recomputed for one viewer (cases.selectors.queue_items_as_seen) must never
        # overwrite what the queue stage stored for the whole network.
        if getattr(self, "seen_in_part", False):
            raise RuntimeError(f"queue item {self.pk} as seen by one user is not saved")
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class QueueItemSource(models.Model):
    """A source one of the item's ads comes from: who may see the item follows from it, and the
    item's figures over that source's ads alone, from which a viewer's figures are composed."""

    item = models.ForeignKey(QueueItem, on_delete=models.CASCADE, related_name="item_sources")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    # Written by the queue stage with the item. A viewer who sees only some of the sources sees
    # the sum (size), maximum (risk, minor, last seen) or union (the rest) of those sources' rows:
    # figures of visible ads only, composed without reading a single member (issue #19 H1).
    size = models.PositiveIntegerField(default=0)
    risk = models.FloatField(null=True, blank=True)
    minor = models.FloatField(null=True, blank=True)
    possible_minor = models.BooleanField(default=False)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    lead_ad = models.ForeignKey(
        Ad, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    indicator_codes = models.CharField(max_length=1000, blank=True)
    cities = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "source"], name="queue_item_source_unique"),
        ]

    def __str__(self) -> str:
        return f"item {self.item_id} from source {self.source_id}"


class EventKind(models.TextChoices):
    CREATED = "created", "Entered the queue"
    UPDATED = "updated", "Updated by the pipeline"
    CLAIMED = "claimed", "Claimed"
    RELEASED = "released", "Released"
    ASSIGNED = "assigned", "Assigned"
    NOTE = "note", "Note"
    DUE = "due", "Due date set"
    ESCALATED = "escalated", "Escalated"
    DISMISSED = "dismissed", "Dismissed"
    REOPENED = "reopened", "Reopened"


class QueueItemEvent(models.Model):
    """One change to a queue item: who, when, what, from which status to which."""

    item = models.ForeignKey(QueueItem, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    text = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["item", "at"])]

    def __str__(self) -> str:
        return f"item {self.item_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"


class Decision(models.Model):
    """A reviewer's label on a queue item; the risk model trains on these."""

    item = models.ForeignKey(QueueItem, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=30, choices=DecisionKind.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.decision} on item {self.item_id}"


class SavedView(models.Model):
    """A named set of queue filters that one user keeps."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=100)
    query = models.CharField(max_length=1000, help_text="The queue's query string.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique_name")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: User) -> CaseQuerySet:
        """Its unit's investigators and supervisors, and its members; admins all."""
        if (decided := visibility_preamble(self, user)) is not None:
            return decided
        member = CaseMember.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)
        unit = Q(unit_id=user.unit_id) if user.unit_id else Q(pk__in=[])
        return self.filter(unit | Exists(member))

    def open(self) -> CaseQuerySet:
        return self.filter(status=CaseStatus.OPEN)

    def holding(
        self,
        *,
        ads: Sequence[int] = (),
        networks: Sequence[int] = (),
        entities: Sequence[int] = (),
    ) -> CaseQuerySet:
        """Cases that already gather any of these ads, networks or identifiers."""
        held = Q(pk__in=[])
        if ads:
            held |= Q(ads__in=list(ads))
        if networks:
            held |= Q(networks__in=list(networks))
        if entities:
            held |= Q(entities__in=list(entities))
        return self.filter(held).distinct()


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Case(models.Model):
    """One investigation: the ads, networks and identifiers it gathers, its people and timeline."""

    number = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    summary = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CaseMember", related_name="cases"
    )
    ads = models.ManyToManyField(Ad, blank=True, related_name="cases")
    networks = models.ManyToManyField(Network, blank=True, related_name="cases")
    entities = models.ManyToManyField(Entity, blank=True, related_name="cases")

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseMember(models.Model):
    """A user working on a case (beyond its unit)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_member_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} on case {self.case_id}"


class CaseCounter(models.Model):
    """The last case number used in a year; locked while numbering so that numbers never repeat."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


# A case event's kind in plain words, for the case page and the packet's PDF.
CASE_EVENT_WORDS = {
    "opened": "Case opened",
    "item_added": "Brought into the case",
    "member_added": "Member added",
    "note": "Note",
    "status": "Status changed",
}


class CaseEvent(models.Model):
    """One entry in a case's timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=30)
    text = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"case {self.case_id} {self.kind}"

    @property
    def kind_label(self) -> str:
        return CASE_EVENT_WORDS.get(self.kind, self.kind.replace("_", " ").capitalize())


class WatchKind(models.TextChoices):
    PHONE = "phone", "Phone number"
    EMAIL = "email", "Email"
    HANDLE = "handle", "Handle"
    PAYMENT = "payment", "Payment identifier (Cash App, Venmo, bitcoin, ethereum)"
    KEYWORD = "keyword", "Keyword"
    AREA = "area", "Map area"


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately"
    HOURLY = "hourly", "Hourly digest"
    DAILY = "daily", "Daily digest"


class Watchlist(models.Model):
    """Something an investigator watches for in new ads, and how often to be told."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watchlists"
    )
    kind = models.CharField(max_length=10, choices=WatchKind.choices)
    value = models.CharField(max_length=300, blank=True, help_text="Normalised (phones in E.164).")
    label = models.CharField(max_length=200, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    min_lng = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    max_lng = models.FloatField(null=True, blank=True)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="watchlist_area_has_box",
                condition=~Q(kind="area")
                | Q(
                    min_lat__isnull=False,
                    min_lng__isnull=False,
                    max_lat__isnull=False,
                    max_lng__isnull=False,
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.kind}: {self.value}"


class Alert(models.Model):
    """A new ad that matched a watchlist; shown on the dashboard and e-mailed at its frequency."""

    watchlist = models.ForeignKey(Watchlist, on_delete=models.CASCADE, related_name="alerts")
    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["watchlist", "ad"], name="alert_unique")]
        indexes = [models.Index(fields=["watchlist", "emailed_at"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"alert {self.pk}: ad {self.ad_id} for watchlist {self.watchlist_id}"
