"""What other apps hear about consent.

``sharing_consent_revoked`` is sent by ``consent_revoke`` inside its transaction, after the
revocation is saved and audited, with ``consent`` (the revoked ``DataSharingConsent``) and
``actor``: receivers stop what the consent allowed (reintegration revokes the referrals it
covered) atomically with the revocation.
"""

from __future__ import annotations

from django.dispatch import Signal

sharing_consent_revoked = Signal()
