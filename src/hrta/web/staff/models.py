"""The staff app holds no tables of its own; this model only carries its permissions."""

from django.db import models


class StaffAccess(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_dashboard", "Can see the dashboard and download outputs"),
            ("manage_responses", "Can exclude, include and import responses"),
            ("manage_waves", "Can create and change waves"),
        ]
