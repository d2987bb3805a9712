"""The columns a member is found and matched by, refreshed whenever names or identities change."""

from kizuna.community.matching import member_search_text, name_key, reading_key
from kizuna.community.models import Member


def member_refresh_search(member: Member) -> None:
    handles = [v for i in member.identities.all() for v in (i.handle, i.email)]
    names = [member.display_name, member.name_ja, member.name_kana, member.name_romaji]
    member.search_text = member_search_text(names, handles)
    member.name_key = name_key(member.name_ja or member.display_name)
    member.reading_key = reading_key(member.name_ja or member.display_name, member.name_kana)
    member.save(update_fields=["search_text", "name_key", "reading_key"])
