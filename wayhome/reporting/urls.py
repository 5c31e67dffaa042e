from __future__ import annotations

from wayhome.reporting import microdata_views, monthly_views

app_name = "reporting"

urlpatterns = [*microdata_views.urlpatterns, *monthly_views.urlpatterns]
