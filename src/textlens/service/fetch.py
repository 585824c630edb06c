"""Fetching inputs given as URLs without letting a request reach the server's own network.

Every address a host name resolves to must be public (not loopback, private, link-local,
reserved...) unless the host is in `url_allowlist`. The connection then goes to the address that
was checked, with the name kept in the Host header and TLS SNI, so a DNS answer that changes
between check and use (rebinding) gains nothing. Redirects are followed by hand and every hop is
checked the same way; proxies from the environment are ignored. A body stops at a size limit,
the whole fetch at a time limit.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import httpx

from ..errors import InputError

MAX_REDIRECTS = 5
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_url(text: str) -> bool:
    return text[:8].lower().startswith(("http://", "https://"))


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class Fetcher:
    """Downloads one URL at a time under the service's rules."""

    def __init__(self, allowlist: Iterable[str], max_bytes: int, timeout_s: float):
        self.allowlist = {h.strip().strip("[]").lower() for h in allowlist}
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def fetch(self, url: str) -> bytes:
        """The body of `url`; InputError saying why when it cannot or may not be fetched."""
        try:
            return await asyncio.wait_for(self._follow(url), self.timeout_s)
        except TimeoutError:
            raise InputError(f"{url}: no complete answer within {self.timeout_s:g} s") from None
        except httpx.HTTPError as exc:
            raise InputError(f"{url}: cannot fetch ({type(exc).__name__}: {exc})") from None

    async def _follow(self, url: str) -> bytes:
        async with httpx.AsyncClient(
            trust_env=False, follow_redirects=False, timeout=self.timeout_s
        ) as client:
            for _ in range(MAX_REDIRECTS + 1):
                parts = urlsplit(url)
                address = await self._checked_address(url, parts)
                request = client.build_request(
                    "GET",
                    _pinned(parts, address),
                    headers={"Host": _host_header(parts)},
                    extensions={"sni_hostname": parts.hostname},
                )
                response = await client.send(request, stream=True)
                try:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code != 200:
                        raise InputError(f"{url}: the server answered HTTP {response.status_code}")
                    return await self._read(url, response)
                finally:
                    await response.aclose()
        raise InputError(f"{url}: more than {MAX_REDIRECTS} redirects")

    async def _checked_address(self, url: str, parts: SplitResult) -> str:
        """The address to connect to, after checking every address the host resolves to."""
        if parts.scheme not in _DEFAULT_PORTS:
            raise InputError(f"{url}: only http and https URLs are fetched")
        if parts.username or parts.password:
            raise InputError(f"{url}: URLs with credentials are not accepted")
        host = parts.hostname
        if not host:
            raise InputError(f"{url}: the URL names no host")
        try:
            port = parts.port or _DEFAULT_PORTS[parts.scheme]
        except ValueError:
            raise InputError(f"{url}: invalid port") from None
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except (socket.gaierror, UnicodeError) as exc:
            raise InputError(f"{url}: cannot resolve {host} ({exc})") from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        if host not in self.allowlist:
            for address in addresses:
                if not _public(address):
                    raise InputError(
                        f"{url}: refused: {host} resolves to {address}, which is not a public "
                        "address (loopback, private, link-local or reserved); list the host in "
                        "url_allowlist to allow it"
                    )
        return str(addresses[0])

    async def _read(self, url: str, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise InputError(
                f"{url}: the file is {declared} bytes, more than the {self.max_bytes} allowed"
            )
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise InputError(
                    f"{url}: the file is larger than the {self.max_bytes} bytes allowed"
                )
            chunks.append(chunk)
        return b"".join(chunks)


def _host_header(parts: SplitResult) -> str:
    host = _bracketed(parts.hostname or "")
    return f"{host}:{parts.port}" if parts.port else host


def _pinned(parts: SplitResult, address: str) -> str:
    """The URL with its host replaced by the checked address."""
    port = parts.port or _DEFAULT_PORTS[parts.scheme]
    return urlunsplit(
        (parts.scheme, f"{_bracketed(address)}:{port}", parts.path or "/", parts.query, "")
    )
