"""The platform's URLs did not change with the core redesign (topic apps inside cep/).

tests/data/urls_before_redesign.txt is the list of every route (pattern template and name) of
the product at commit 96fd9b9, the last one before the redesign, produced by this very module run
as a script in a checkout of that commit (see the file's header). Bookmarks, links in e-mails
already sent and the API's clients depend on these URLs.
"""

import re
import sys
from pathlib import Path

from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

BEFORE = Path(__file__).parent / "data" / "urls_before_redesign.txt"
# Routes added since, one file per change that added some (same format): a route appears only
# when it is declared there, so a route cannot come or go unnoticed.
ADDED = Path(__file__).parent / "data" / "urls_added"


def walk(patterns, prefix: str = "", namespace: str = ""):
    """Every route in resolver order, like tests/test_isolation_walk.py's walk, with its name
    qualified by its namespaces."""
    for entry in patterns:
        text = str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            yield from walk(entry.url_patterns, prefix + text, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else "-"
            yield f"{prefix + text}\t{name}"


def route_lines() -> list[str]:
    return list(walk(get_resolver().url_patterns))


def before_lines() -> list[str]:
    return [
        line
        for line in BEFORE.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]


def added_lines() -> list[str]:
    return [
        line
        for path in sorted(ADDED.glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]


def test_every_route_of_before_the_redesign_is_still_there_and_no_other():
    before, now = before_lines(), route_lines()
    assert len(before) > 100, "the list of before the redesign is missing or truncated"
    assert len(now) == len(set(now)), "a route is declared twice"
    missing = sorted(set(before) - set(now))
    added = sorted(set(now) - set(before) - set(added_lines()))
    assert (missing, added) == ([], [])
    assert sorted(set(added_lines()) - set(now)) == [], "a declared added route is gone"


# A concrete URL for each route: a value for every parameter its converter or group accepts.
SAMPLE_BY_CONVERTER = {"int": "7", "path": "7", "str": "abc", "drf_format_suffix": ".json"}
SAMPLE_BY_GROUP = {"format": "json", "pk": "7", "app_label": "cep", "url": "zzz/"}
GROUP = re.compile(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def sample_url(template: str) -> str:
    url = GROUP.sub(lambda m: SAMPLE_BY_GROUP[m.group(1)], template)
    url = CONVERTER.sub(lambda m: SAMPLE_BY_CONVERTER[m.group(1) or "str"], url)
    return "/" + url.replace("^", "").replace("$", "").replace("/?", "/").replace("\\.", ".")


def test_each_route_of_before_still_answers_its_own_urls():
    """The patterns of a few pages were reordered by the move (the person's invitation, request
    and anonymisation pages now come from their apps): a URL of each route must still reach that
    route, not an earlier one that would now shadow it."""
    wrong = []
    for line in before_lines():
        template, name = line.split("\t")
        url = sample_url(template)
        try:
            match = resolve(url)
        except Resolver404:
            wrong.append(f"{url}: 404 (route {template})")
            continue
        # ResolverMatch.route drops the ^ of the regex patterns it joins.
        reached = match.route.replace("^", "")
        if reached != template.replace("^", "") or (name != "-" and match.view_name != name):
            wrong.append(f"{url}: reaches {reached} {match.view_name}, not {template} {name}")
    assert wrong == []


def test_the_sign_in_routes_still_come_last():
    """As at 96fd9b9 (cep/urls.py's auth_patterns, appended last): tests/test_isolation_walk.py
    walks the routes in resolver order, and signing out ends its sessions."""
    assert route_lines()[-8:] == [
        "connexion/\tlogin",
        "deconnexion/\tlogout",
        "connexion/code/\tsecond_factor",
        "connexion/double-authentification/\tsecond_factor_setup",
        "mot-de-passe/oubli/\tpassword_reset",
        "mot-de-passe/oubli/envoye/\tpassword_reset_done",
        "mot-de-passe/nouveau/<uidb64>/<token>/\tpassword_reset_confirm",
        "mot-de-passe/nouveau/termine/\tpassword_reset_complete",
    ]


if __name__ == "__main__":
    # Run in a checkout of 96fd9b9 to produce the data file (the header says how).
    import django

    sys.path.insert(0, str(Path.cwd()))
    django.setup()
    print("\n".join(route_lines()))
