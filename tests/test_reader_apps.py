"""Reader apps (issue 14): the Google Reader API and the Fever API, tested by replaying the
requests the clients send (the sequence NetNewsWire and Reeder run on first sync and after;
Fever as Reeder and ReadKit call it), against the team's event fixtures."""

from __future__ import annotations

import hashlib
import re

import httpx
from sqlalchemy import select

from newsweave import accounts, reading
from newsweave.store.accounts import user_by_name
from newsweave.store.db import Database
from newsweave.store.schema import sources, tags
from tests.test_discussion import PASSWORD, Browser

STATE = "user/-/state/com.google/"


def _source(db: Database, name: str) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(sources.c.id).where(sources.c.name == name)).scalar_one())


def _login(b: Browser, user: str = "rhea", password: str = PASSWORD) -> httpx.Response:
    return b.request("POST", "/accounts/ClientLogin", data={"Email": user, "Passwd": password})


def test_google_reader_api_as_netnewswire_syncs(
    events_db: tuple[Database, dict[str, int]],
) -> None:
    db, ids = events_db
    accounts.create_user(db, "rhea", PASSWORD, email="r@e.example")
    with db.connect() as conn:
        rhea = user_by_name(conn, "rhea")
    assert rhea is not None
    wire = _source(db, "Wire One")
    app = Browser(db)

    # Credentials: wrong ones are refused in the protocol's words; right ones give a token.
    bad = _login(app, password="not the password")
    assert (bad.status_code, bad.text) == (401, "Error=BadAuthentication\n")
    assert app.get("/reader/api/0/user-info").status_code == 401
    r = _login(app)
    assert r.status_code == 200
    auth = re.search(r"^Auth=(\S+)$", r.text, re.M).group(1)  # type: ignore[union-attr]
    h = {"Authorization": f"GoogleLogin auth={auth}"}

    def get(path: str, **params: str | list[str]) -> httpx.Response:
        got = app.request(
            "GET", "/reader/api/0/" + path, params={**params, "output": "json"}, headers=h
        )
        assert got.status_code == 200, got.text
        return got

    def post(path: str, data: dict[str, str | list[str]]) -> httpx.Response:
        got = app.request("POST", "/reader/api/0/" + path, data=data, headers=h)
        assert got.status_code == 200, got.text
        return got

    assert get("user-info").json()["userName"] == "rhea"
    assert get("token").text
    assert get("subscription/list").json() == {"subscriptions": []}

    # Subscribe by the feed's address: the source that has it is followed; an unknown one is
    # refused with the reason.
    with db.begin() as conn:
        conn.execute(
            sources.update().where(sources.c.id == wire).values(feed_url="https://wire.example/rss")
        )
    added = post("subscription/quickadd", {"quickadd": "https://wire.example/rss"}).json()
    assert added["streamId"] == f"feed/{wire}"
    refused = app.request(
        "POST",
        "/reader/api/0/subscription/quickadd",
        data={"quickadd": "https://nope.example/"},
        headers=h,
    )
    assert refused.status_code == 404
    assert "operator adds sources" in refused.json()["error"]
    # A folder for it, and a hashtag followed on the site shows up as a subscription too.
    post("subscription/edit", {"ac": "edit", "s": f"feed/{wire}", "a": "user/-/label/World"})
    with db.connect() as conn:
        tag_id = conn.execute(select(tags.c.id).where(tags.c.slug == "sudan")).scalar_one()
    reading.follow(db, rhea, "tag", int(tag_id))
    subs = {s["id"]: s for s in get("subscription/list").json()["subscriptions"]}
    assert subs[f"feed/{wire}"]["categories"] == [{"id": "user/-/label/World", "label": "World"}]
    assert subs[f"feed/tag-{tag_id}"]["title"] == "#Sudan"
    assert {"id": "user/-/label/World", "type": "folder"} in get("tag/list").json()["tags"]

    # First sync: the unread ids of the reading list, then their contents by POST.
    unread = [
        x["id"]
        for x in get(
            "stream/items/ids", s=STATE + "reading-list", n="1000", xt=STATE + "read"
        ).json()["itemRefs"]
    ]
    assert {int(i) for i in unread} == {ids[k] for k in ("c1", "b1", "a1", "d1", "d2")}
    starred = get("stream/items/ids", s=STATE + "starred", n="1000").json()["itemRefs"]
    assert starred == []
    contents = post("stream/items/contents", {"i": unread}).json()["items"]
    assert len(contents) == 5
    one = next(it for it in contents if it["title"].startswith("Floods kill dozens"))
    assert one["id"] == f"tag:google.com,2005:reader/item/{ids['a1']:016x}"
    assert one["origin"]["streamId"] == f"feed/{wire}"
    assert "user/-/label/World" in one["categories"]
    assert STATE + "read" not in one["categories"]
    assert "Valencia" in one["summary"]["content"]

    # Read one (long id form), star another (short form): the site sees both.
    post("edit-tag", {"i": one["id"], "a": STATE + "read"})
    post("edit-tag", {"i": str(ids["d1"]), "a": STATE + "starred"})
    site = Browser(db)
    site.get("/login")
    site.post("/login", {"username": "rhea", "password": PASSWORD})
    assert "UN rejects parallel government" in site.get("/saved").text
    left = get("stream/items/ids", s=STATE + "reading-list", n="1000", xt=STATE + "read").json()
    assert str(ids["a1"]) not in [x["id"] for x in left["itemRefs"]]
    assert [x["id"] for x in get("stream/items/ids", s=STATE + "starred").json()["itemRefs"]] == [
        str(ids["d1"])
    ]
    # Paging: n=2 with a continuation walks the whole list once, oldest first with r=o.
    seen: list[str] = []
    cont: str | None = None
    while True:
        page = get(
            "stream/items/ids",
            s=STATE + "reading-list",
            n="2",
            r="o",
            **({"c": cont} if cont else {}),
        ).json()
        seen += [x["id"] for x in page["itemRefs"]]
        cont = page.get("continuation")
        if not cont:
            break
    assert len(seen) == len(set(seen)) == 5
    # A feed's stream and a label's stream; unread counts per feed, label and in all.
    feed = get(f"stream/contents/feed/{wire}", n="10").json()["items"]
    assert {it["origin"]["title"] for it in feed} == {"Wire One"}
    assert len(get("stream/contents/user/-/label/World").json()["items"]) == 3
    counts = {c["id"]: c["count"] for c in get("unread-count").json()["unreadcounts"]}
    assert counts[f"feed/{wire}"] == 2
    assert counts["user/-/label/World"] == 2
    assert counts[STATE + "reading-list"] == 4
    # The counts are kept while nothing of the reader's changes (web.parts.own): a read marked
    # behind the app's back is not counted yet; the app's own next write reads them again.
    still = get("stream/items/ids", s=STATE + "reading-list", xt=STATE + "read").json()
    reading.mark_read(db, rhea, [int(still["itemRefs"][0]["id"])])
    kept = {c["id"]: c["count"] for c in get("unread-count").json()["unreadcounts"]}
    assert kept == counts
    # Mark a feed read up to now; then the whole reading list.
    post("mark-all-as-read", {"s": f"feed/{wire}"})
    counts = {c["id"]: c["count"] for c in get("unread-count").json()["unreadcounts"]}
    assert counts[f"feed/{wire}"] == 0
    post("mark-all-as-read", {"s": STATE + "reading-list"})
    assert (
        get("stream/items/ids", s=STATE + "reading-list", xt=STATE + "read").json()["itemRefs"]
        == []
    )
    # Unstar, unsubscribe, rename and drop a folder.
    post("edit-tag", {"i": str(ids["d1"]), "r": STATE + "starred"})
    assert get("stream/items/ids", s=STATE + "starred").json()["itemRefs"] == []
    post("rename-tag", {"s": "user/-/label/World", "dest": "user/-/label/Planet"})
    assert {"id": "user/-/label/Planet", "type": "folder"} in get("tag/list").json()["tags"]
    post("subscription/edit", {"ac": "unsubscribe", "s": f"feed/{wire}"})
    assert f"feed/{wire}" not in {s["id"] for s in get("subscription/list").json()["subscriptions"]}
    # Garbage gets a clear 400, never a 500.
    for path, params in (
        ("stream/items/ids", {"n": "many"}),
        ("stream/items/ids", {"c": "x"}),
        ("stream/items/ids", {"ot": "yesterday"}),
    ):
        got = app.request("GET", "/reader/api/0/" + path, params=params, headers=h)
        assert got.status_code == 400, (path, params, got.text)
    bad_item = app.request(
        "POST",
        "/reader/api/0/edit-tag",
        data={"i": "tag:google.com,2005:reader/item/zz"},
        headers=h,
    )
    assert bad_item.status_code == 400
    assert (
        app.request("GET", "/reader/api/0/stream/contents/feed/nope", headers=h).status_code == 404
    )


def test_fever_api_as_reeder_calls_it(events_db: tuple[Database, dict[str, int]]) -> None:
    db, ids = events_db
    accounts.create_user(db, "rhea", PASSWORD)
    wire, courier = _source(db, "Wire One"), _source(db, "Daily Courier")

    # The reader makes an app password on the site; the md5 key of it is what Fever sends.
    site = Browser(db)
    site.get("/login")
    site.post("/login", {"username": "rhea", "password": PASSWORD})
    site.get("/account/apps")
    page = site.post("/account/apps/fever", {}).text
    password = re.search(r"Your Fever password:</strong> <code>([^<]+)</code>", page).group(1)  # type: ignore[union-attr]
    key = hashlib.md5(f"rhea:{password}".encode(), usedforsecurity=False).hexdigest()
    site.get(f"/sources/{wire}")
    site.post(f"/follow/source/{wire}", {"next": "/"})
    site.get(f"/sources/{courier}")
    site.post(f"/follow/source/{courier}", {"next": "/"})

    app = Browser(db)

    def fever(query: str, **data: str) -> dict[str, object]:
        got = app.request("POST", "/fever/?api&" + query, data={"api_key": key, **data})
        assert got.status_code == 200, got.text
        body = got.json()
        assert body["api_version"] == 3
        return body  # type: ignore[no-any-return]

    wrong = hashlib.md5(b"rhea:wrong", usedforsecurity=False).hexdigest()
    refused = app.request("POST", "/fever/?api", data={"api_key": wrong})
    assert refused.json() == {"api_version": 3, "auth": 0}
    assert fever("")["auth"] == 1
    feeds = fever("feeds")["feeds"]
    assert {f["id"] for f in feeds} == {wire, courier}  # type: ignore[index]
    assert fever("groups")["groups"] == []
    unread = [int(i) for i in str(fever("unread_item_ids")["unread_item_ids"]).split(",")]
    expected = {ids[k] for k in ("c1", "b1", "a1", "b3", "a2")}
    assert set(unread) == expected
    # Items page by id: since_id ascending, with_ids exactly.
    first = fever("items", since_id="0")
    assert first["total_items"] == 5
    items = first["items"]
    assert [i["id"] for i in items] == sorted(expected)  # type: ignore[index]
    assert all(i["is_read"] == 0 and i["feed_id"] in (wire, courier) for i in items)  # type: ignore[index]
    assert fever("items", since_id=str(max(expected)))["items"] == []
    picked = fever("items", with_ids=f"{ids['a1']},{ids['b3']}")["items"]
    assert [i["id"] for i in picked] == sorted([ids["a1"], ids["b3"]])  # type: ignore[index]
    # Marks: read, saved; a whole feed read before now.
    fever("", mark="item", **{"as": "read"}, id=str(ids["a1"]))
    fever("", mark="item", **{"as": "saved"}, id=str(ids["b3"]))
    assert fever("saved_item_ids")["saved_item_ids"] == str(ids["b3"])
    assert str(ids["a1"]) not in str(fever("unread_item_ids")["unread_item_ids"]).split(",")
    assert "Euro zone borrowers" in site.get("/saved").text  # the site agrees
    marked = fever("items", with_ids=f"{ids['a1']},{ids['b3']}")["items"]
    marks = {i["id"]: (i["is_read"], i["is_saved"]) for i in marked}  # type: ignore[index]
    assert marks == {ids["a1"]: (1, 0), ids["b3"]: (0, 1)}
    fever("", mark="feed", **{"as": "read"}, id=str(courier), before="4102444800")
    left = str(fever("unread_item_ids")["unread_item_ids"]).split(",")
    assert set(map(int, left)) == {ids["c1"], ids["b1"]}
    fever("", mark="group", **{"as": "read"}, id="0", before="4102444800")
    assert fever("unread_item_ids")["unread_item_ids"] == ""
    bad = app.request(
        "POST", "/fever/?api", data={"api_key": key, "mark": "item", "as": "read", "id": "x"}
    )
    assert bad.status_code == 400
    # A new app password retires the old key.
    site.get("/account/apps")
    site.post("/account/apps/fever", {})
    assert app.request("POST", "/fever/?api", data={"api_key": key}).json()["auth"] == 0
