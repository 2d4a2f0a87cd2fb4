from django.urls import path

from designer import views

app_name = "designer"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
]
