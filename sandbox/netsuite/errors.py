"""NetSuite REST error bodies (RFC 9457-style problem details with `o:errorDetails`)."""

from __future__ import annotations

from sandbox.httpserver import Response

ERROR_CONTENT_TYPE = "application/vnd.oracle.resource+json; type=error; charset=UTF-8"

_PROBLEM_TYPES = {
    400: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1", "Bad Request"),
    401: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2", "Unauthorized"),
    404: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5", "Not Found"),
    405: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.6", "Method Not Allowed"),
    429: ("https://www.rfc-editor.org/rfc/rfc6585.html#section-4", "Too Many Requests"),
    500: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.1", "Internal Server Error"),
    502: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.3", "Bad Gateway"),
    503: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.4", "Service Unavailable"),
}

INVALID_LOGIN_DETAIL = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)
# NetSuite prefixes every SuiteQL failure with this sentence; clients match on it.
INVALID_QUERY_PREFIX = "Invalid search query. Detailed unprocessed description follows. "


class NetSuiteError(Exception):
    """An error NetSuite would answer with; `response()` renders its body."""

    def __init__(self, status: int, code: str, detail: str, query_param: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.query_param = query_param

    def body(self) -> dict:
        problem_type, title = _PROBLEM_TYPES[self.status]
        detail: dict[str, str] = {"detail": self.detail}
        if self.query_param:
            detail["o:errorQueryParam"] = self.query_param
        detail["o:errorCode"] = self.code
        return {"type": problem_type, "title": title, "status": self.status, "o:errorDetails": [detail]}

    def response(self) -> Response:
        return Response(self.status, self.body(), {"Content-Type": ERROR_CONTENT_TYPE})


def invalid_query(message: str) -> NetSuiteError:
    return NetSuiteError(400, "INVALID_PARAMETER", INVALID_QUERY_PREFIX + message, query_param="q")


def invalid_parameter(detail: str, query_param: str | None = None) -> NetSuiteError:
    return NetSuiteError(400, "INVALID_PARAMETER", detail, query_param)


def invalid_login() -> NetSuiteError:
    return NetSuiteError(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL)


def not_found(path: str) -> NetSuiteError:
    return NetSuiteError(404, "NONEXISTENT_ID", f"Invalid URL: the resource {path} does not exist.")


def method_not_allowed(method: str, path: str) -> NetSuiteError:
    return NetSuiteError(405, "METHOD_NOT_ALLOWED", f"The HTTP method {method} is not allowed for {path}.")


def concurrency_limit_exceeded() -> NetSuiteError:
    return NetSuiteError(429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded. Request blocked.")


def unexpected_error(status: int = 500) -> NetSuiteError:
    return NetSuiteError(status, "UNEXPECTED_ERROR", "An unexpected error occurred. Error ID: sandbox-injected-fault.")


def search_error(message: str) -> NetSuiteError:
    """A SuiteQL error as NetSuite words it: 'Invalid search query. … Search error occurred: <message>'."""
    return invalid_query(f"Search error occurred: {message}")


def unsupported_search(what: str) -> NetSuiteError:
    """Something SuiteQL may accept but the sandbox does not implement: refused, never answered differently."""
    return search_error(f"Invalid or unsupported search. The sandbox does not support {what}.")
