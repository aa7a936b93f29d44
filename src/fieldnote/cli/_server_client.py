"""How the CLI reaches a running server (the event store's single writer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fieldnote.home import Home, ServerInfo

if TYPE_CHECKING:
    import httpx

__all__ = ["ServerClient", "running_server"]


def running_server(home: Home) -> ServerInfo | None:
    return home.running_server()


def _http(base_url: str, headers: dict[str, str], timeout: float) -> httpx.Client:
    """httpx (and the click its own CLI pulls in, ~0.25 s) only once a server is asked:
    most CLI calls read the files, and each import is paid by every call."""
    import httpx

    return httpx.Client(base_url=base_url, headers=headers, timeout=timeout)


class ServerClient:
    def __init__(self, info: ServerInfo, *, timeout: float = 3600.0) -> None:
        self._client = _http(
            info.base_url, {"Authorization": f"Bearer {info.admin_token}"}, timeout
        )

    @classmethod
    def remote(cls, url: str, token: str | None, *, timeout: float = 3600.0) -> ServerClient:
        """A client for a server elsewhere (FIELDNOTE_SERVER_URL), with a personal token."""
        info = ServerInfo(pid=0, host="", port=0, admin_token=token or "")
        client = cls(info, timeout=timeout)
        client._client = _http(
            url.rstrip("/"), {"Authorization": f"Bearer {token}"} if token else {}, timeout
        )
        return client

    def get(self, path: str, **params: Any) -> Any:
        r = self._client.get(path, params=params)
        return self._result(r)

    def post(self, path: str, body: Any) -> Any:
        r = self._client.post(path, json=body)
        return self._result(r)

    @staticmethod
    def _result(r: httpx.Response) -> Any:
        try:
            data = r.json()
        except ValueError:
            data = {"error": r.text}
        if r.status_code >= 400:
            raise ServerError(str(data.get("error", data)) if isinstance(data, dict) else str(data))
        return data

    def close(self) -> None:
        self._client.close()


class ServerError(RuntimeError):
    pass
