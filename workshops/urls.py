from django.urls import path

from workshops import views

app_name = "workshops"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.create, name="new"),
    path("join/", views.join, name="join"),
    path("join/<str:code>/", views.join_code, name="join-code"),
    path("play/<str:code>/", views.play, name="play"),
    path("play/<str:code>/state/", views.play_state, name="play-state"),
    path("play/<str:code>/answer/", views.play_answer, name="play-answer"),
    path("<int:pk>/", views.control, name="control"),
    path("<int:pk>/live/", views.control_live, name="control-live"),
    path("<int:pk>/present/", views.present, name="present"),
    path("<int:pk>/present/live/", views.present_live, name="present-live"),
    path("<int:pk>/qr.svg", views.qr, name="qr"),
    path("<int:pk>/step/<slug:action>/", views.step, name="step"),
    path("<int:pk>/participants/<int:participant_id>/remove/", views.remove, name="remove"),
    path("<int:pk>/gallery/<int:item_id>/", views.gallery, name="gallery"),
    path("<int:pk>/answers/<int:answer_id>/<str:part>.svg", views.design_svg, name="design-svg"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.csv", views.results_csv, name="results-csv"),
    path("<int:pk>/answers.csv", views.answers_csv, name="answers-csv"),
]
