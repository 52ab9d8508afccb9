from django.urls import path

from plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("new/", views.plan_create, name="plan-create"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("<int:pk>/share/", views.plan_share, name="plan-share"),
    path("<int:plan_pk>/lines/new/", views.line_form, name="line-create"),
    path("<int:pk>/informal/new/", views.informal_create, name="informal-create"),
    path("<int:pk>/week/", views.week, name="week"),
    path("<int:pk>/week/notes/", views.week_notes, name="week-notes"),
    path("<int:pk>/week/from-lines/", views.week_from_lines, name="week-from-lines"),
    path("<int:pk>/monitoring/new/", views.monitoring_create, name="monitoring-create"),
    path("lines/<int:pk>/", views.line_form, name="line-edit"),
    path("lines/<int:pk>/delete/", views.line_delete, name="line-delete"),
    path("lines/<int:pk>/find/", views.line_find, name="line-find"),
    path("lines/<int:pk>/compare/", views.line_compare, name="line-compare"),
    path("lines/<int:pk>/candidates/", views.candidate_add, name="candidate-add"),
    path("lines/<int:pk>/inquiry/", views.inquiry_send, name="inquiry-send"),
    path("candidates/<int:pk>/", views.candidate_update, name="candidate-update"),
    path("candidates/<int:pk>/choose/", views.candidate_choose, name="candidate-choose"),
    path("schedule/<int:pk>/delete/", views.schedule_delete, name="schedule-delete"),
    path("monitoring/<int:pk>/", views.monitoring_detail, name="monitoring-detail"),
    path("inquiries/", views.inquiry_list, name="inquiry-list"),
    path("inquiries/<int:pk>/answer/", views.inquiry_answer, name="inquiry-answer"),
]
