from django.urls import path

from . import views

app_name = "payroll"
urlpatterns = [
    path("pay/", views.pay_home, name="home"),
    path("pay/rules/", views.rules, name="rules"),
    path("pay/rules/<int:rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path("pay/people/<int:person_id>/", views.person, name="person"),
    path("pay/people/<int:person_id>/statement.pdf", views.person_pdf, name="person_pdf"),
    path("pay/people/<int:person_id>/statement.csv", views.person_csv, name="person_csv"),
    path("pay/people/<int:person_id>/adjust/", views.person_adjust, name="person_adjust"),
    path("pay/people/<int:person_id>/bank/", views.person_bank, name="person_bank"),
    path("pay/runs/", views.runs, name="runs"),
    path("pay/runs/<int:run_id>/", views.run_detail, name="run"),
    path("pay/runs/<int:run_id>/transfers.csv", views.run_csv, name="run_csv"),
    path("my-earnings/", views.my_earnings, name="mine"),
    path("my-earnings/statement.pdf", views.my_pdf, name="mine_pdf"),
    path("my-earnings/statement.csv", views.my_csv, name="mine_csv"),
]
