from django.urls import path

from . import views

app_name = "newsletter"

urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/sent/", views.sent, name="sent"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<str:token>/undo/", views.resubscribe, name="resubscribe"),
    path("unsubscribe/<str:token>/delete/", views.forget, name="forget"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
]
