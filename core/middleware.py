from csp.middleware import CSPMiddleware


class CachedCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, building each distinct header only once.

    django-csp builds the policy string from settings on every response;
    most responses (no nonce, no per-view override) get the same string, so
    it is built once per process and reused. Responses with a nonce or a
    per-view policy are built as usual.
    """

    _built = {}

    def process_response(self, request, response):
        if not self._plain(request, response):
            return super().process_response(request, response)
        headers = self._built.get("headers")
        if headers is None:
            response = super().process_response(request, response)
            if response.status_code == 200 and "Content-Security-Policy" in response:
                self._built["headers"] = {
                    name: response[name]
                    for name in ("Content-Security-Policy", "Content-Security-Policy-Report-Only")
                    if name in response
                }
            return response
        for name, value in headers.items():
            if name not in response:
                response[name] = value
        return response

    @staticmethod
    def _plain(request, response):
        overrides = [
            f"_csp_{kind}{suffix}"
            for kind in ("config", "update", "replace", "exempt")
            for suffix in ("", "_ro")
        ]
        return getattr(request, "_csp_nonce", None) is None and not any(
            getattr(response, name, None) for name in overrides
        )
