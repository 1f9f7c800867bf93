"""The shared cache's backend: Django's Redis cache, with one Redis client per connection pool.

issue 15: Django's RedisCacheClient builds a new ``redis.Redis`` for every command, and that
constructor registers some 170 response callbacks: in the profile of a wizard save it was most of
the CPU of each cache read (the catalogue cache, the rate limits). A ``redis.Redis`` is a thin
handle over its pool and is safe to share between threads like the pool itself (redis-py's
documentation); Django's cache handler already gives each thread its own backend instance.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
