package io.socketlet.rooms.redis;

/**
 * The Lua scripts that change a room's presence in Redis: each runs atomically, so the member
 * hash, the name hash and the log entry that reports the change can never disagree, whichever
 * node runs it. The rules are {@link io.socketlet.rooms.PresenceBook}'s (names unique ignoring
 * case, " 2", " 3"... cut to fit); the cutting by characters is done in Java, which passes the
 * candidates' bases and their lower-case keys.
 *
 * <p>Keys of a room {@code r}: {@code socketlet:room:r:members} (member id to
 * {@code node} or {@code node TAB key TAB name}), {@code socketlet:room:r:names} (lower-case
 * name to member id), {@code socketlet:room:r:log} (the stream). Log entries: {@code k=m} a
 * message ({@code x} the member it skips, {@code t} 1 for text, {@code d} the bytes, {@code u} the
 * publisher's unique id), {@code k=p} a presence change ({@code b} before, {@code a} after, each
 * empty, {@code id} or {@code id:name}; {@code r} the reason).
 */
final class RedisScripts {

    private RedisScripts() {
    }

    /** KEYS members, names, log; ARGV kind, id, node, maxlen, reason, then base/key pairs for suffixes of 0, 2, 3, 4 characters. */
    static final String PRESENCE = """
            local members, names, log = KEYS[1], KEYS[2], KEYS[3]
            local kind, id, node, maxlen, reason = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
            local cur = redis.call('HGET', members, id)
            local curKey, curName = nil, nil
            if cur then
              local t1 = string.find(cur, '\\t', 1, true)
              if t1 then
                local t2 = string.find(cur, '\\t', t1 + 1, true)
                curKey = string.sub(cur, t1 + 1, t2 - 1)
                curName = string.sub(cur, t2 + 1)
              end
            end
            local before = ''
            if cur then
              before = id
              if curName then before = id .. ':' .. curName end
            end
            if kind == 'JOIN' then
              if cur then return false end
              redis.call('HSET', members, id, node)
              return redis.call('XADD', log, 'MAXLEN', '~', maxlen, '*', 'k', 'p', 'b', '', 'a', id, 'r', '')
            elseif kind == 'LEAVE' then
              if not cur then return false end
              redis.call('HDEL', members, id)
              if curKey then redis.call('HDEL', names, curKey) end
              return redis.call('XADD', log, 'MAXLEN', '~', maxlen, '*', 'k', 'p', 'b', before, 'a', '', 'r', reason)
            end
            local name, key
            for n = 1, 100000 do
              if n == 1 then name, key = ARGV[6], ARGV[7]
              elseif n < 10 then name, key = ARGV[8] .. ' ' .. n, ARGV[9] .. ' ' .. n
              elseif n < 100 then name, key = ARGV[10] .. ' ' .. n, ARGV[11] .. ' ' .. n
              else name, key = ARGV[12] .. ' ' .. n, ARGV[13] .. ' ' .. n end
              local holder = redis.call('HGET', names, key)
              if (not holder) or holder == id then break end
            end
            if curName == name then return false end
            if curKey then redis.call('HDEL', names, curKey) end
            redis.call('HSET', names, key, id)
            redis.call('HSET', members, id, node .. '\\t' .. key .. '\\t' .. name)
            return redis.call('XADD', log, 'MAXLEN', '~', maxlen, '*', 'k', 'p', 'b', before, 'a', id .. ':' .. name, 'r', '')
            """;

    /** KEYS members, log; ARGV count: the members and the newest entries, in one atomic look. */
    static final String SNAPSHOT = """
            return {redis.call('HGETALL', KEYS[1]), redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', ARGV[1])}
            """;

    /**
     * KEYS members, names, log; ARGV maxlen, node key prefix. Members of nodes whose liveness key
     * expired leave, with reason "node gone"; returns how many.
     */
    static final String CLEANUP = """
            local all = redis.call('HGETALL', KEYS[1])
            local gone = 0
            for i = 1, #all, 2 do
              local id, v = all[i], all[i + 1]
              local t1 = string.find(v, '\\t', 1, true)
              local node = v
              if t1 then node = string.sub(v, 1, t1 - 1) end
              if redis.call('EXISTS', ARGV[2] .. node) == 0 then
                local before = id
                if t1 then
                  local t2 = string.find(v, '\\t', t1 + 1, true)
                  redis.call('HDEL', KEYS[2], string.sub(v, t1 + 1, t2 - 1))
                  before = id .. ':' .. string.sub(v, t2 + 1)
                end
                redis.call('HDEL', KEYS[1], id)
                redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[1], '*', 'k', 'p', 'b', before, 'a', '', 'r', 'node gone')
                gone = gone + 1
              end
            end
            return gone
            """;
}
