from django.contrib.auth import views as auth_views
from django.urls import path

from candidates.accounts import views as accounts

urlpatterns = [
    # Account (issue 3)
    path("creer-un-compte/", accounts.signup, name="signup"),
    path("creer-un-compte/verifiez-votre-messagerie/", accounts.signup_done, name="signup_done"),
    path("creer-un-compte/suggestion/", accounts.email_suggestion, name="email_suggestion"),
    path("activation/<uidb64>/<token>/", accounts.activate, name="activate"),
    path("activation/nouveau-lien/", accounts.resend_activation, name="resend_activation"),
    path("connexion/", accounts.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe-oublie/", accounts.password_reset, name="password_reset"),
    path(
        "mot-de-passe-oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="candidates/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe-oublie/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe-oublie/termine/",
        auth_views.PasswordResetCompleteView.as_view(template_name="candidates/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("mon-espace/profil/", accounts.profile, name="profile"),
    path("mon-espace/profil/modifier/", accounts.profile_edit, name="profile_edit"),
    path("mon-espace/profil/departement/", accounts.departement_lookup, name="departement_lookup"),
    path("mon-espace/mot-de-passe/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("mon-espace/adresse-electronique/", accounts.email_change, name="email_change"),
    path(
        "mon-espace/adresse-electronique/confirmer/<token>/",
        accounts.email_change_confirm,
        name="email_change_confirm",
    ),
]
