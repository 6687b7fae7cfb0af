"""Django's Redis cache, keeping one redis client per connection pool instead of building one per call.

Django's RedisCacheClient makes a new `redis.Redis` for every cache operation, and each one builds its table of
~170 response callbacks: about a tenth of a page's CPU here, where a page makes ten cache calls. A redis client is
safe to share (connections come from its pool, which checks the process id after a fork), and Django already keeps
one cache object per thread.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
