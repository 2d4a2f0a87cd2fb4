from django.urls import path, re_path

from quiz import api

urlpatterns = [
    path("questions/", api.QuestionListApi.as_view(), name="quiz-api-questions"),
    path("questions/<str:qid>/", api.QuestionDetailApi.as_view(), name="quiz-api-question"),
    path("questions/<str:qid>/grade", api.QuestionGradeApi.as_view(), name="quiz-api-grade"),
    re_path(r"^.*$", api.not_found),
]
