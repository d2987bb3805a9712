from kizuna.accounts.models import User
from kizuna.community.services.claims import member_claim_by_email
from kizuna.core.consumers import consumer
from kizuna.core.models import OutboxEvent


@consumer("community.claims", event_types={"user.email_verified"})
def claim_member_of_verified_email(event: OutboxEvent) -> None:
    user = User.objects.filter(pk=event.payload["user_id"], is_active=True).first()
    if user is not None:
        member_claim_by_email(user=user)
