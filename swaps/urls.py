from django.urls import path

from swaps import views

urlpatterns = [
    path("", views.marketplace_page, name="swaps-marketplace"),
    path("mine/", views.my_swaps, name="swaps-mine"),
    path("new/", views.swap_new, name="swap-new"),
    path("give-away/", views.swap_give_away, name="swap-give-away"),  # ?shift=<code>: My schedule's quick action
    path("new/proposals/", views.swap_proposals, name="swap-proposals"),  # htmx: ?shift=<code>
    path("chains/", views.chain_ask, name="swap-chain"),  # POST postings=<ids>: ask for a chain found
    path("queue/", views.approval_queue, name="swaps-queue"),
    path("queue/settings/", views.settings_edit, name="swaps-settings"),
    path("<int:pk>/", views.swap_detail, name="swap-detail"),
    path("<int:pk>/proof/", views.swap_proof, name="swap-proof"),  # htmx: the compliance check re-run now
    path("<int:pk>/accept/", views.swap_accept, name="swap-accept"),
    path("<int:pk>/decline/", views.swap_decline, name="swap-decline"),
    path("<int:pk>/cancel/", views.swap_cancel, name="swap-cancel"),
    path("<int:pk>/approve/", views.swap_approve, name="swap-approve"),
    path("<int:pk>/reject/", views.swap_reject, name="swap-reject"),
    path("<int:pk>/rollback/", views.swap_rollback, name="swap-rollback"),
]
