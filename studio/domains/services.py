"""The owner's actions on the studio's domains: the rules are ``tenants.domains``'; this
records each change in the studio's audit log, in the same transaction."""

from django.db import transaction

from studio.audit.models import AuditKind
from studio.audit.services import audit_record
from tenants import domains
from tenants.models import Domain


@transaction.atomic
def studio_domain_add(*, studio, hostname: str, actor) -> Domain:
    domain = domains.custom_domain_add(studio=studio, hostname=hostname)
    audit_record(actor=actor, kind=AuditKind.DOMAIN_ADDED, subject=domain.domain)
    return domain


def studio_domain_check(*, studio, domain_id: int, actor) -> bool:
    domain = next((d for d in domains.custom_domains_of(studio) if d.pk == domain_id), None)
    if domain is None:
        raise Domain.DoesNotExist(domain_id)
    was_active = domain.status == "active"
    verified = domains.custom_domain_check(domain=domain)
    if verified and not was_active:
        audit_record(actor=actor, kind=AuditKind.DOMAIN_VERIFIED, subject=domain.domain)
    return verified


@transaction.atomic
def studio_domain_make_main(*, studio, domain_id: int, actor) -> Domain:
    before = next((d.domain for d in domains.custom_domains_of(studio) if d.is_primary), "")
    domain = domains.domain_set_primary(studio=studio, domain_id=domain_id)
    audit_record(
        actor=actor,
        kind=AuditKind.DOMAIN_MADE_MAIN,
        subject=domain.domain,
        changes=[{"field": "main address", "old": before, "new": domain.domain}],
    )
    return domain


@transaction.atomic
def studio_domain_remove(*, studio, domain_id: int, actor) -> None:
    host = next((d.domain for d in domains.custom_domains_of(studio) if d.pk == domain_id), None)
    domains.custom_domain_remove(studio=studio, domain_id=domain_id)
    audit_record(actor=actor, kind=AuditKind.DOMAIN_REMOVED, subject=host or "")
