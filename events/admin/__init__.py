"""The editorial admin: issues with their workflow, items with their citations."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import issue, items  # noqa: F401 - registers the admin classes

admin.site.site_header = _("AI前沿发展日报 · 编辑部")
admin.site.site_title = _("AI前沿发展日报")
admin.site.index_title = _("今日工作台")
