"""One factory per model, valid by default; states as traits."""

import datetime
import hashlib

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from events.content_guard import assembling
from events.models import (
    Citation,
    Conclusion,
    Correction,
    Event,
    Issue,
    Paper,
    ReviewComment,
    SocialSignal,
    Tag,
    TransitionLog,
)
from events.roles import ANALYST, CHIEF_EDITOR, ensure_roles
from sources.models import Snapshot, Source
from verification.models import VerificationStatus


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@newsroom.example")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """UserFactory(role="主编") puts the user in that group."""
        if create and extracted:
            self.groups.add(role_group(extracted))


def role_group(name):
    """The role's group; transactional tests flush the one the data migration made."""
    if not Group.objects.filter(name=name).exists():
        ensure_roles()
    return Group.objects.get(name=name)


class AnalystFactory(UserFactory):
    username = factory.Sequence(lambda n: f"analyst{n}")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.groups.add(role_group(extracted or ANALYST))


class ChiefEditorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"editor{n}")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.groups.add(role_group(extracted or CHIEF_EDITOR))


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://news.example.com/story-{n}")
    publisher = factory.Sequence(lambda n: f"Publisher {n}")
    title = factory.Sequence(lambda n: f"Story {n}")
    kind = Source.Kind.MEDIA

    class Params:
        official = factory.Trait(kind=Source.Kind.OFFICIAL)


class SnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Snapshot

    source = factory.SubFactory(SourceFactory)
    status = Snapshot.Status.SUCCEEDED
    attempts = 1
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)
    http_status = 200
    final_url = factory.SelfAttribute("source.url")
    content_type = "text/html; charset=utf-8"
    charset = "utf-8"
    charset_source = "http"
    size = 1024
    sha256 = factory.Sequence(lambda n: hashlib.sha256(f"page {n}".encode()).hexdigest())
    text_sha256 = factory.Sequence(lambda n: hashlib.sha256(f"text {n}".encode()).hexdigest())
    page_title = factory.SelfAttribute("source.title")

    class Params:
        failed = factory.Trait(status=Snapshot.Status.FAILED, http_status=404, error="HTTP 404")
        queued = factory.Trait(status=Snapshot.Status.QUEUED, started_at=None, finished_at=None)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue
        skip_postgeneration_save = True

    date = factory.Sequence(lambda n: datetime.date(2026, 4, 8) + datetime.timedelta(days=n))
    coverage_start = factory.LazyAttribute(lambda i: i.date - datetime.timedelta(days=7))
    coverage_end = factory.SelfAttribute("date")
    coverage_note = "期间新增、更新或仍具战略影响的公开高信号信息"
    overview = "今天的主线是算力与资本。"
    business_analysis = "对企业而言，供给侧的确定性正在变成竞争力。"

    class Params:
        published = factory.Trait(
            status=Issue.Status.PUBLISHED, published_at=factory.LazyFunction(timezone.now)
        )

    @factory.post_generation
    def with_conclusions(self, create, extracted, **kwargs):
        """IssueFactory(with_conclusions=3) adds numbered conclusions."""
        if create and extracted:
            for position in range(1, extracted + 1):
                ConclusionFactory(issue=self, position=position, text=f"结论 {position}")


class AssemblingFactory(factory.django.DjangoModelFactory):
    """Parts of an issue the trait `published` made public are added as a restore adds them
    (content_guard.assembling), since fixtures build the record directly, not by workflow."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with assembling():
            return super()._create(model_class, *args, **kwargs)


class ConclusionFactory(AssemblingFactory):
    class Meta:
        model = Conclusion

    issue = factory.SubFactory(IssueFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"结论 {n}")


class ItemFactory(AssemblingFactory):
    class Meta:
        abstract = True
        skip_postgeneration_save = True

    issue = factory.SubFactory(IssueFactory)
    rank = factory.Sequence(lambda n: n + 1)

    class Params:
        verified = factory.Trait(
            verification_status=VerificationStatus.VERIFIED,
            verification_note="已由官方公告核实。",
            verified_at=factory.LazyFunction(timezone.now),
        )


class EventFactory(ItemFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"大事件 {n}")
    occurred_on = factory.LazyAttribute(lambda e: e.issue.date)
    what_happened = "某公司宣布了一项新协议。"
    key_facts = "协议规模达到多吉瓦。"
    why_it_matters = "算力供给被提前锁定。"
    implications = "企业需要评估供应链韧性。"


class SocialSignalFactory(ItemFactory):
    class Meta:
        model = SocialSignal

    handle = factory.Sequence(lambda n: f"@analyst{n}")
    post_url = factory.Sequence(lambda n: f"https://x.com/analyst{n}/status/{1000 + n}")
    headline = factory.Sequence(lambda n: f"观点 {n}")
    signal_type = "趋势信号"
    one_line_take = "值得跟踪。"


class PaperFactory(ItemFactory):
    class Meta:
        model = Paper

    name = factory.Sequence(lambda n: f"Bench-{n}")
    headline = factory.Sequence(lambda n: f"一个新的评测基准 {n}")
    arxiv_id = factory.Sequence(lambda n: f"2604.{10000 + n}")
    url = factory.LazyAttribute(lambda p: f"https://arxiv.org/abs/{p.arxiv_id}")
    what_it_does = "提出一个基准。"
    what_is_new = "评估流程级风险。"
    applications = "智能体安全评估。"
    one_line_take = "安全挑战正在变成流程攻击面。"


class CitationFactory(AssemblingFactory):
    class Meta:
        model = Citation

    event = factory.SubFactory(EventFactory)
    source = factory.SubFactory(SourceFactory)
    position = factory.Sequence(lambda n: n + 1)
    label = factory.LazyAttribute(lambda c: c.source.publisher)


class TransitionLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TransitionLog

    issue = factory.SubFactory(IssueFactory)
    action = "submit"
    from_status = Issue.Status.DRAFT
    to_status = Issue.Status.IN_REVIEW


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Correction

    issue = factory.SubFactory(IssueFactory, published=True)
    text = "第 2 条大事件的金额已更正。"


class ReviewCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewComment

    issue = factory.SubFactory(IssueFactory)
    author = factory.SubFactory(ChiefEditorFactory)
    body = "请补充一个独立来源。"


def cite(item, source=None, *, captured=True, label=None, position=None):
    """Cite a source from an item; with captured, give the source a succeeded snapshot."""
    source = source or SourceFactory()
    if captured:
        SnapshotFactory(source=source)
    field = {"event": "event", "signal": "signal", "paper": "paper"}[item.section]
    with assembling():
        return Citation.objects.create(
            **{field: item},
            source=source,
            label=label or source.publisher,
            position=position or item.citations.count() + 1,
        )


def publishable_issue(*, events=1, signals=1, papers=1, author=None, **issue_fields):
    """An issue that passes the publish gate: three conclusions, items verified and captured.

    Given a published status, it is built in it directly (content_guard.assembling).
    """
    with assembling():
        issue = IssueFactory(with_conclusions=3, **issue_fields)
        for factory_class, count in (
            (EventFactory, events),
            (SocialSignalFactory, signals),
            (PaperFactory, papers),
        ):
            for rank in range(1, count + 1):
                item = factory_class(issue=issue, rank=rank, verified=True, created_by=author)
                cite(item, SourceFactory(official=True))
    return issue


# --- newsletter -------------------------------------------------------------------------


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "newsletter.Subscriber"

    email = factory.Sequence(lambda n: f"reader{n}@mail.example")
    status = "active"
    confirmed_at = factory.LazyFunction(timezone.now)
    source = "web"

    class Params:
        pending = factory.Trait(status="pending", confirmed_at=None)
        unsubscribed = factory.Trait(
            status="unsubscribed", unsubscribed_at=factory.LazyFunction(timezone.now)
        )


class FeedFactory(factory.django.DjangoModelFactory):
    """A watched feed of the intake desk; `url` is usually a local test server's route."""

    class Meta:
        model = "intake.Feed"

    url = factory.Sequence(lambda n: f"https://news.example.com/feed-{n}.xml")
    name = factory.Sequence(lambda n: f"Outlet {n}")
    kind = "media"

    class Params:
        official = factory.Trait(kind="official")


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "intake.Rule"

    action = "block"
    field = "any"
    pattern = "sponsored"
