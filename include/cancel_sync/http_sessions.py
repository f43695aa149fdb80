"""Per-thread copies of a configured requests.Session.

Worker threads must not look connections up themselves (inside a task process only the
main thread may talk to Airflow's supervisor), so the hook builds one session in the
main thread and each worker gets a copy with its own connection pool.
"""

from __future__ import annotations

from collections.abc import Callable

from requests import Session
from requests.adapters import HTTPAdapter


def copy_session(template: Session, with_auth: bool = True) -> Session:
    """A new session with the template's headers, auth (unless `with_auth` is off), TLS and proxy settings."""
    session = Session()
    session.headers.update(template.headers)
    session.auth = template.auth if with_auth else None
    session.verify = template.verify
    session.cert = template.cert
    session.proxies = dict(template.proxies)
    session.trust_env = template.trust_env
    session.max_redirects = template.max_redirects
    for prefix in ("http://", "https://"):
        session.mount(prefix, HTTPAdapter(pool_maxsize=4))
    return session


def session_copier(template: Session) -> Callable[[], Session]:
    first = [template]

    def make() -> Session:
        try:
            return first.pop()  # atomic: threads starting at once never both take the template
        except IndexError:
            return copy_session(template)

    return make
