from django.urls import path

from designer import views

app_name = "designer"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("designer/", views.diagram_list, name="diagram-list"),
    path("designer/new/", views.diagram_new, name="diagram-new"),
    path("designer/s/<str:token>/", views.shared_link, name="shared-link"),
    path("designer/<int:pk>/", views.editor, name="editor"),
    path("designer/<int:pk>/save", views.diagram_save, name="save"),
    path("designer/<int:pk>/copy", views.diagram_copy, name="copy"),
    path("designer/<int:pk>/delete", views.diagram_delete, name="delete"),
    path("designer/<int:pk>/history", views.diagram_history, name="history"),
    path("designer/<int:pk>/versions/<int:number>/", views.version_data, name="version"),
    path("designer/<int:pk>/versions/<int:number>/restore", views.version_restore, name="restore"),
    path("designer/<int:pk>/versions/<int:number>/image.svg", views.version_image, name="version-image"),
    path("designer/<int:pk>/export.<str:fmt>", views.diagram_export, name="export"),
    path("designer/<int:pk>/estimate", views.estimate_start, name="estimate-start"),
    path("designer/<int:pk>/estimates/<int:estimate_id>/", views.estimate_status, name="estimate"),
    path("designer/<int:pk>/estimates/<int:estimate_id>/compute", views.estimate_compute_now, name="estimate-compute"),
    path("designer/<int:pk>/estimates/<int:estimate_id>.csv", views.estimate_csv, name="estimate-csv"),
    path("patterns/", views.pattern_list, name="pattern-list"),
    path("patterns/<slug:pattern_id>/", views.pattern_detail, name="pattern-detail"),
    path("patterns/<slug:pattern_id>/starter.svg", views.starter_image, name="starter-image"),
]
