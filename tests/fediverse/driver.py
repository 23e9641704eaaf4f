"""Drives bovine's actor "alice" through bovine's client-to-server API, for
kith's interoperability test.

Usage: driver.py DOMAIN SECRET COMMAND [ARG]
  follow HANDLE         alice follows HANDLE (found by bovine's WebFinger)
  wait-in-inbox TEXT    waits (20 s at most) for an inbox item holding TEXT
  accept-follows        accepts every Follow in alice's inbox
  rename NAME           alice's profile gets NAME, sent to her followers
"""
import asyncio
import json
import sys

from bovine import BovineClient

AS = "https://www.w3.org/ns/activitystreams"


def id_of(value):
    return value.get("id") if isinstance(value, dict) else value


async def items(client):
    out = []
    async for item in client.inbox():
        out.append(item)
        if len(out) >= 200:
            break
    return out


async def main(domain, secret, command, arg):
    async with BovineClient(domain=domain, secret=secret) as client:
        me = client.information
        if command == "follow":
            them = await client.proxy(f"acct:{arg}")
            response = await client.send_to_outbox(
                {"@context": AS, "type": "Follow", "actor": me["id"],
                 "object": them["id"], "to": [them["id"]]})
            assert response.status < 300, response.status
            print(them["id"])
        elif command == "wait-in-inbox":
            for _ in range(100):
                for item in await items(client):
                    if arg in json.dumps(item):
                        print(json.dumps(item))
                        return 0
                await asyncio.sleep(0.2)
            print(f"nothing holding {arg!r} reached alice's inbox", file=sys.stderr)
            return 1
        elif command == "accept-follows":
            accepted = 0
            for _ in range(100):
                for item in await items(client):
                    if item.get("type") == "Follow":
                        response = await client.send_to_outbox(
                            {"@context": AS, "type": "Accept", "actor": me["id"],
                             "object": item["id"], "to": [id_of(item.get("actor"))]})
                        assert response.status < 300, response.status
                        accepted += 1
                if accepted:
                    print(accepted)
                    return 0
                await asyncio.sleep(0.2)
            print("no Follow reached alice's inbox", file=sys.stderr)
            return 1
        elif command == "rename":
            profile = {k: v for k, v in me.items() if k != "@context"}
            profile["name"] = arg
            response = await client.send_to_outbox(
                {"@context": AS, "type": "Update", "actor": me["id"],
                 "object": profile, "to": [me["followers"]]})
            assert response.status < 300, response.status
        else:
            print(__doc__, file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(*sys.argv[1:4], sys.argv[4] if len(sys.argv) > 4 else None)))
