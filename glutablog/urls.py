from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from articles.sitemaps import (
    AuthorsSitemap,
    ReviewersSitemap,
    TopicsSitemap,
    sitemap,
    sitemap_index,
)
from core.methods import SAFE, allow
from core.views import media, robots_txt
from pages.sitemaps import PagesSitemap

admin.site.site_header = "glutablog administration"
admin.site.site_title = "glutablog admin"
admin.site.index_title = "Posts and comments"
# No navigation sidebar: on a 1280-pixel laptop it took a quarter of the width,
# and the post list's comment counts and the queue's comment text were pushed
# behind a sideways scroll. The breadcrumbs and the front page lead everywhere.
admin.site.enable_nav_sidebar = False

# Errors in the site's look; in the admin's look, naming what is missing, for staff.
handler403 = "core.views.permission_denied"
# A request the site cannot read (400) and a database too busy to answer (503
# from handler500) get pages that need neither the body nor the database.
handler400 = "core.views.bad_request"
handler500 = "core.views.server_error"

urlpatterns = [
    # The home is the blog, for good: a permanent redirect (301).
    path("", RedirectView.as_view(pattern_name="articles:index", permanent=True)),
    # Staff's second factor and passkey ceremonies, before the admin's own
    # addresses (accounts.middleware lets a half-signed-in session reach these only).
    path("admin/two-factor/", include("accounts.urls")),
    path("admin/two-factor/passkeys/", include("django_otp_webauthn.urls")),
    path("admin/", admin.site.urls),
    path("blog/", include("articles.urls")),
    path("comments/", include("comments.urls")),
    path("newsletter/", include("newsletter.urls")),
    # Site pages under their own prefix: an editor's slug ("admin", "blog",
    # "sitemap.xml" ...) can never shadow the site's own addresses, nor an
    # address a later app adds at the root shadow a page.
    path("pages/", include("pages.urls")),
    # The posts' sitemap (articles) with the site pages added as a section:
    # the project wires the two apps together, neither imports the other.
    path(
        "sitemap.xml",
        allow(*SAFE)(sitemap),
        {"sections": [TopicsSitemap(), ReviewersSitemap(), AuthorsSitemap(), PagesSitemap()]},
        name="sitemap",
    ),
    # Every page of it (past 48,000 posts, ?p=2 and on), for robots.txt.
    path("sitemap-index.xml", allow(*SAFE)(sitemap_index), name="sitemap_index"),
    path("robots.txt", robots_txt, name="robots_txt"),
]

# Uploaded media in development (static() adds nothing with DEBUG off):
# production serves MEDIA_ROOT from the proxy (nginx), or from object storage.
urlpatterns += static(settings.MEDIA_URL, view=media, document_root=settings.MEDIA_ROOT)
