from django.urls import path

from quiz import views

app_name = "quiz"
urlpatterns = [
    path("", views.home, name="home"),
    path("q/<str:qid>/", views.question, name="question"),
    path("attempts/<int:pk>/", views.attempt, name="attempt"),
    path("progress/", views.progress, name="progress"),
    path("review/", views.review, name="review"),
]
