from django.urls import path

from designer import api

urlpatterns = [
    path("diagrams/", api.DiagramListApi.as_view(), name="api-diagrams"),
    path("diagrams/<int:pk>/", api.DiagramDetailApi.as_view(), name="api-diagram"),
    path("diagrams/<int:pk>/versions/", api.VersionListApi.as_view(), name="api-versions"),
    path("diagrams/<int:pk>/versions/<int:number>/", api.VersionDetailApi.as_view(), name="api-version"),
    path("diagrams/<int:pk>/estimates/", api.EstimateStartApi.as_view(), name="api-estimate-start"),
    path("diagrams/<int:pk>/estimates/<int:estimate_id>/", api.EstimateDetailApi.as_view(), name="api-estimate"),
    path("diagrams/<int:pk>/export/", api.ExportApi.as_view(), name="api-export"),
    path("validate/", api.ValidateApi.as_view(), name="api-validate"),
    path("import/", api.ImportApi.as_view(), name="api-import"),
    path("catalog/", api.CatalogApi.as_view(), name="api-catalog"),
]
