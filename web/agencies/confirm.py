"""A second step before an action that cannot be taken back or that widens who can read.

Delete and publish are POSTs; the first POST (without ``confirmed=1``) answers with a page that
says what will happen and who will then see the object, and a button that repeats the POST with
``confirmed=1``. The page works without JavaScript.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.access import check
from agencies.models import Agency, Shareable


def title_of(obj: Shareable) -> str:
    return str(getattr(obj, "title", None) or getattr(obj, "name", None) or obj)


def _consequences(obj: Shareable, action: str) -> list[str]:
    shared = [a.name for a in obj.shared_with.all()]
    if action == "publish":
        others = Agency.objects.exclude(pk=obj.owner_id).count()
        return [
            ngettext(
                "Every signed-in user of every agency on this platform will be able to read it: "
                "%(count)d other agency besides %(owner)s, and any agency added later.",
                "Every signed-in user of every agency on this platform will be able to read it: "
                "%(count)d other agencies besides %(owner)s, and any agency added later.",
                others,
            )
            % {"count": others, "owner": obj.owner.name},
            _("It is also readable through the API by their tokens."),
            _("You can unpublish it later; copies already downloaded stay with their readers."),
        ]
    lines = [_("This cannot be undone.")]
    if shared:
        lines.append(
            _("It is shared with %(agencies)s; they will lose access.")
            % {"agencies": ", ".join(shared)}
        )
    if obj.published:
        lines.append(_("It is published: every agency will lose access."))
    return lines


def needed(request: HttpRequest, obj: Shareable, action: str) -> HttpResponse | None:
    """The confirmation page for ``action`` (``delete`` or ``publish``), or ``None`` once the
    user has confirmed."""
    check(request.user, obj, "delete" if action == "delete" else "share")  # 404/403 first
    if request.POST.get("confirmed") == "1":
        return None
    field = "delete" if action == "delete" else "published"
    value = request.POST.get(field, "1")
    heading = (_("Delete “%(title)s”?") if action == "delete" else _("Publish “%(title)s”?")) % {
        "title": title_of(obj)
    }
    return render(
        request,
        "confirm.html",
        {
            "heading": heading,
            "consequences": _consequences(obj, action),
            "field": field,
            "value": value,
            "danger": action == "delete",
            "button": _("Yes, delete") if action == "delete" else _("Yes, publish"),
            "back": request.path,
        },
    )
