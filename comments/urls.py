from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("post/<int:post_id>/", views.post_comment, name="post"),
    path("delete/", views.deletion_request, name="delete"),
    path("delete/sent/", views.deletion_sent, name="delete_sent"),
    path("delete/confirm/<str:token>/", views.deletion_confirm, name="delete_confirm"),
    path("confirmed/<str:token>/", views.address_confirmed, name="confirmed"),
]
