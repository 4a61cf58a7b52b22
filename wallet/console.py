"""The issuer's console: a district coordinator's screen for rosters, searches and revocations.

`laurel serve --wallet HOME --console` adds it under ``/console/`` (loopback by
default; the login, sessions and CSRF tokens of :mod:`wallet.webauth`):

- upload an achievement and a roster CSV, and see every badge it would issue and
  every bad row (all of them, each with its line and why) before anything is signed;
- issue with a progress bar (the roster runs in the background, resumable as ever);
- search by the recipient's name, email (hashed with each badge's salt) or id;
- revoke or suspend, after a confirmation that names the recipient and the date;
- see what is anchored: each badge's batch, block and transaction.

The key signs in this process with the keystore the login unlocked; one worker
(`laurel serve --console` runs one) keeps the sessions.
"""

from __future__ import annotations

import secrets
import threading
from pathlib import Path
from typing import Any, Final

from flask import Blueprint, Response, g, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response as WResponse

from vc.errors import LaurelError
from wallet._console_roster import (
    MAX_ROSTER_ROWS,
    Job,
    RowCheck,
    _mark_already,
    _run,
    check_roster,
)
from wallet.badges import BadgeLine, badge_line
from wallet.home import Wallet
from wallet.pages import PAGE_HEADERS, guard, locale, render
from wallet.store import short_id
from wallet.webauth import Gate, Session

__all__ = ["MAX_ROSTER_ROWS", "Job", "RowCheck", "check_roster", "console_blueprint"]

_MAX_FILE: Final = 4 * 1024 * 1024


def console_blueprint(home: Path, *, gate: Gate) -> Blueprint:
    """The issuer's console for the wallet at `home` (needs the wallet pages' login)."""
    blueprint = Blueprint("laurel_console", __name__)
    blueprint.before_request(guard(gate, login_endpoint="laurel_wallet.login"))
    jobs: dict[str, Job] = {}
    jobs_lock = threading.Lock()

    @blueprint.after_request
    def _headers(response: Response) -> WResponse:
        for name, value in PAGE_HEADERS.items():
            response.headers[name] = value
        return response

    def session() -> Session:
        found: Session = g.laurel_session
        return found

    def lines(wallet: Wallet, found: list[Any]) -> list[BadgeLine]:
        names = wallet.store.recipient_names()
        return [badge_line(wallet.store, s, locale(), names=names) for s in found]

    @blueprint.get("/console/")
    def index() -> WResponse:
        query = request.args.get("q", "").strip()
        with Wallet.open(home) as wallet:
            store = wallet.store
            issued = [s for s in store.search_credentials(query, limit=500) if s.origin == "issued"]
            shown = lines(wallet, issued)
            everything = lines(
                wallet, [s for s in store.list_credentials() if s.origin == "issued"]
            )
            issuer = wallet.identity.name
        counts = {
            "issued": len(everything),
            "revoked": sum(line.state == "revoked" for line in everything),
            "suspended": sum(line.state == "suspended" for line in everything),
            "anchored": sum(line.anchored for line in everything),
        }
        return render("console_index.html", holder=issuer, lines=shown, query=query, counts=counts)

    @blueprint.get("/console/roster")
    def roster_form() -> WResponse:
        with Wallet.open(home) as wallet:
            issuer = wallet.identity.name
        return render("console_roster.html", holder=issuer)

    @blueprint.post("/console/roster")
    def roster_preview() -> WResponse:
        from wallet.issuer import load_achievement

        with Wallet.open(home) as wallet:
            issuer = wallet.identity.name

            def refuse(problem: str, detail: str | None = None) -> WResponse:
                return render(
                    "console_roster.html", 400, holder=issuer, problem=problem, detail=detail
                )

            achievement_file = request.files.get("achievement")
            roster_file = request.files.get("roster")
            if achievement_file is None or not achievement_file.filename:
                return refuse("no_achievement")
            if roster_file is None or not roster_file.filename:
                return refuse("no_roster")
            try:
                achievement = load_achievement(achievement_file.read(_MAX_FILE))
            except LaurelError as exc:
                return refuse("achievement", exc.message)
            rows, problem = check_roster(roster_file.read(_MAX_FILE))
            if problem is not None and problem != "too_many":
                return refuse("file", problem)
            rows = _mark_already(wallet, achievement, rows)
        suite = request.form.get("suite", "eddsa-rdfc-2022")
        if suite not in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
            suite = "eddsa-rdfc-2022"
        valid_until = _date(request.form.get("valid_until", ""))
        job = Job(
            id=secrets.token_urlsafe(12),
            owner=session().sid,
            achievement=achievement,
            rows=rows,
            suite=suite,
            valid_until=valid_until,
        )
        with jobs_lock:
            jobs[job.id] = job
        return render(
            "console_preview.html", holder=issuer, job=job, too_many=problem == "too_many"
        )

    def own_job(job_id: str) -> Job | None:
        with jobs_lock:
            job = jobs.get(job_id)
        return job if job is not None and job.owner == session().sid else None

    @blueprint.post("/console/jobs/<job_id>/issue")
    def issue(job_id: str) -> WResponse:
        job = own_job(job_id)
        if job is None:
            return Response("no such roster\n", status=404, mimetype="text/plain")
        with job.lock:
            if job.state == "preview":
                job.state, job.total = "running", len(job.good)
                keystore = session().keystore
                threading.Thread(target=_run, args=(job, home, keystore), daemon=True).start()
        return redirect(url_for(".job", job_id=job.id), code=303)

    @blueprint.get("/console/jobs/<job_id>")
    def job(job_id: str) -> WResponse:
        found = own_job(job_id)
        if found is None:
            return Response("no such roster\n", status=404, mimetype="text/plain")
        with Wallet.open(home) as wallet:
            issuer = wallet.identity.name
        return render("console_job.html", holder=issuer, job=found, progress=found.to_json())

    @blueprint.get("/console/jobs/<job_id>.json")
    def job_json(job_id: str) -> WResponse:
        found = own_job(job_id)
        if found is None:
            return Response("{}", status=404, mimetype="application/json")
        return jsonify(found.to_json())

    @blueprint.get("/console/badges/<badge>/")
    def badge(badge: str) -> WResponse:
        with Wallet.open(home) as wallet:
            try:
                credential_id = wallet.store.resolve_id(badge)
            except LaurelError:
                return Response("no such badge\n", status=404, mimetype="text/plain")
            stored = wallet.store.get_credential(credential_id)
            line = badge_line(wallet.store, stored, locale())
            batch = wallet.store.anchor_batch_of(credential_id)
            reasons = {
                p: wallet.store.credential_status(credential_id, p)[1]
                for p in ("revocation", "suspension")
            }
            issuer = wallet.identity.name
            has_status = wallet.store.status_allocation(credential_id, "revocation") is not None
        return render(
            "console_badge.html",
            holder=issuer,
            line=line,
            stored=stored,
            batch=batch,
            reasons=reasons,
            has_status=has_status,
            message=request.args.get("message"),
        )

    @blueprint.get("/console/badges/<badge>/<action>")
    def confirm(badge: str, action: str) -> WResponse:
        if action not in ACTIONS:
            return Response("no such action\n", status=404, mimetype="text/plain")
        with Wallet.open(home) as wallet:
            try:
                credential_id = wallet.store.resolve_id(badge)
            except LaurelError:
                return Response("no such badge\n", status=404, mimetype="text/plain")
            line = badge_line(wallet.store, wallet.store.get_credential(credential_id), locale())
            issuer = wallet.identity.name
        return render("console_confirm.html", holder=issuer, line=line, action=action)

    @blueprint.post("/console/badges/<badge>/<action>")
    def change(badge: str, action: str) -> WResponse:
        from wallet.status import set_status

        if action not in ACTIONS:
            return Response("no such action\n", status=404, mimetype="text/plain")
        purpose, value = ACTIONS[action]
        reason = request.form.get("reason", "").strip()[:500] or None
        keystore = session().keystore
        with Wallet.open(home) as wallet:
            try:
                credential_id = wallet.store.resolve_id(badge)
            except LaurelError:
                return Response("no such badge\n", status=404, mimetype="text/plain")
            if keystore is not None:
                wallet.attach_keystore(keystore)
            try:
                set_status(wallet, "", credential_id, purpose, value, reason=reason, now=_now())
                if action == "revoke" and wallet.store.anchor_batch_of(credential_id) is not None:
                    from wallet.ledger import revoke_on_chain

                    revoke_on_chain(wallet, "", credential_id)
            except LaurelError as exc:
                line = badge_line(
                    wallet.store, wallet.store.get_credential(credential_id), locale()
                )
                return render(
                    "console_confirm.html",
                    400,
                    holder=wallet.identity.name,
                    line=line,
                    action=action,
                    error=exc.message,
                )
        return redirect(url_for(".badge", badge=short_id(credential_id), message=action), code=303)

    return blueprint


#: What each console action changes: the status purpose and the value it sets.
ACTIONS: Final = {
    "revoke": ("revocation", True),
    "suspend": ("suspension", True),
    "unsuspend": ("suspension", False),
}


def _now() -> Any:
    import datetime as dt

    return dt.datetime.now(dt.UTC)


def _date(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    from vc.timestamps import format_datetime_stamp, parse_datetime_stamp

    try:
        return format_datetime_stamp(parse_datetime_stamp(f"{value}T00:00:00Z"))
    except ValueError:
        return None
