from django.urls import path

from wayhome.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("mfa/enrol/", views.mfa_enrol, name="mfa-enrol"),
    path("mfa/qr.svg", views.mfa_qr, name="mfa-qr"),
    path("mfa/verify/", views.mfa_verify, name="mfa-verify"),
    path("office/", views.office_switch, name="office-switch"),
]
