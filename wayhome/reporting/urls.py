from __future__ import annotations

from django.urls import path

from wayhome.reporting import microdata_views, monthly_views, views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("table/", views.table, name="table"),
    path("table/export/", views.table_export, name="table-export"),
    path("indicators/", views.indicators, name="indicators"),
    *microdata_views.urlpatterns,
    *monthly_views.urlpatterns,
]
