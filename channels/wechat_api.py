"""Publishing the article through the WeChat Official Account API: draft/add, then
freepublish/submit, with an access token from the AppID and AppSecret.

Requests and answers as WeChat documents them: `GET /cgi-bin/token` gives
{"access_token", "expires_in"}; `POST /cgi-bin/draft/add?access_token=…` with {"articles": […]}
gives {"media_id"}; `POST /cgi-bin/freepublish/submit?access_token=…` with {"media_id"} gives
{"errcode": 0, "publish_id"}. Errors come as {"errcode", "errmsg"} (HTTP 200). An expired or
revoked token (40001, 40014, 42001) is fetched again once and the call repeated: WeChat refused
it, so nothing was created. The draft's media_id is written to the ledger as soon as it comes
back, so a later attempt submits that draft instead of making a second one.
"""

import json
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from . import http, services
from .outcomes import Failed, Retry
from .registry import wechat_enabled
from .wechat import limit_problems, render_article

TOKEN_EXPIRED = {40001, 40014, 42001}
#: -1 system busy, 45009 the daily quota is used up, 45011 calls too frequent
TRY_LATER = {-1, 45009, 45011}
WECHAT_CACHE_KEY = "channels:wechat:access_token"


def is_enabled() -> bool:
    return wechat_enabled()


def _url(path: str, **query) -> str:
    return f"{settings.WECHAT_API_BASE.rstrip('/')}{path}?{urlencode(query)}"


def _error(answer: dict) -> Exception:
    code = answer.get("errcode")
    message = f"WeChat {code}: {answer.get('errmsg', '')}"
    return Retry(message) if code in TRY_LATER else Failed(message)


def access_token(*, fresh: bool = False) -> str:
    """The cached access token, or a new one from /cgi-bin/token."""
    if not fresh and (token := cache.get(WECHAT_CACHE_KEY)):
        return token
    url = _url(
        "/cgi-bin/token",
        grant_type="client_credential",
        appid=settings.WECHAT_APP_ID,
        secret=settings.WECHAT_APP_SECRET,
    )
    answer = http.get_json(url).json()
    token = answer.get("access_token")
    if not token:
        raise _error(answer) if answer.get("errcode") else Retry(_("微信没有返回 access_token。"))
    cache.set(WECHAT_CACHE_KEY, token, max(int(answer.get("expires_in", 7200)) - 300, 60))
    return token


def call(path: str, body: dict) -> dict:
    """POST to the API with the token, fetching a new token once if WeChat says it expired."""
    # WeChat shows \\uXXXX escapes as typed: the body must be UTF-8 text, not ASCII escapes.
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    for fresh in (False, True):
        response = http.post_json(_url(path, access_token=access_token(fresh=fresh)), data)
        answer = response.json()
        if not answer and response.status >= 500:
            raise Retry(f"WeChat HTTP {response.status}")
        if answer.get("errcode", 0) in TOKEN_EXPIRED and not fresh:
            continue
        if answer.get("errcode", 0) != 0:
            raise _error(answer)
        return answer
    raise _error(answer)


def draft_body(issue) -> dict:
    """The single-article draft of the issue, as draft/add takes it."""
    article = render_article(issue)
    return {
        "articles": [
            {
                "title": article.title,
                "author": settings.WECHAT_AUTHOR,
                "digest": article.digest,
                "content": article.content,
                "content_source_url": article.source_url,
                "thumb_media_id": settings.WECHAT_THUMB_MEDIA_ID,
                "need_open_comment": 0,
                "only_fans_can_comment": 0,
            }
        ]
    }


def send(delivery) -> dict:
    """Make the draft (unless an earlier attempt did), then submit it for publication."""
    media_id = delivery.remote.get("media_id")
    if not media_id:
        answer = call("/cgi-bin/draft/add", draft_body(delivery.issue))
        media_id = answer.get("media_id")
        if not media_id:
            raise Failed(_("微信 draft/add 没有返回 media_id。"))
        services.record_progress(delivery, media_id=media_id)
    answer = call("/cgi-bin/freepublish/submit", {"media_id": media_id})
    return {"media_id": media_id, "publish_id": str(answer.get("publish_id", ""))}


def preflight(issue) -> list[tuple[str, str]]:
    """WeChat's limits on the article, and the cover image the API requires."""
    found = limit_problems(render_article(issue))
    if not settings.WECHAT_THUMB_MEDIA_ID:
        found.append(
            (
                _("没有设置微信封面图（WECHAT_THUMB_MEDIA_ID）。"),
                _("在公众号后台上传一张永久图片素材，把它的 media_id 填入设置。"),
            )
        )
    return found
