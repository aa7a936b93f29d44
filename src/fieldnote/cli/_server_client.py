"""How the CLI reaches a running server (the event store's single writer)."""

from __future__ import annotations

from typing import Any

import httpx

from fieldnote.home import Home, ServerInfo

__all__ = ["ServerClient", "running_server"]


def running_server(home: Home) -> ServerInfo | None:
    return home.running_server()


class ServerClient:
    def __init__(self, info: ServerInfo, *, timeout: float = 3600.0) -> None:
        self._client = httpx.Client(
            base_url=info.base_url,
            headers={"Authorization": f"Bearer {info.admin_token}"},
            timeout=timeout,
        )

    @classmethod
    def remote(cls, url: str, token: str | None, *, timeout: float = 3600.0) -> ServerClient:
        """A client for a server elsewhere (FIELDNOTE_SERVER_URL), with a personal token."""
        info = ServerInfo(pid=0, host="", port=0, admin_token=token or "")
        client = cls(info, timeout=timeout)
        client._client = httpx.Client(
            base_url=url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"} if token else {},
            timeout=timeout,
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
