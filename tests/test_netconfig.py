"""runc's network config: fields and JSON names, round trips, validation naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rawnl import NetworkConfigError
from rawnl.runc.config import Network, load_networks, parse_mac
from rawnl.runc.strategies import get_strategy, known_strategies

RUNC_FIELDS = [
    "type",
    "name",
    "bridge",
    "mac_address",
    "address",
    "gateway",
    "ipv6_address",
    "ipv6_gateway",
    "mtu",
    "txqueuelen",
    "host_interface_name",
    "hairpin_mode",
]

VETH: dict[str, Any] = {
    "type": "veth",
    "name": "eth0",
    "bridge": "br0",
    "mac_address": "02:42:c6:33:64:02",
    "address": "198.51.100.2/24",
    "gateway": "198.51.100.1",
    "ipv6_address": "2001:db8::2/64",
    "ipv6_gateway": "2001:db8::1",
    "mtu": 1500,
    "txqueuelen": 500,
    "host_interface_name": "veth-c1",
    "hairpin_mode": True,
}


def test_to_dict_has_runcs_json_names_in_order() -> None:
    net = Network.from_dict(VETH)
    assert list(net.to_dict()) == RUNC_FIELDS
    assert net.to_dict() == VETH


def test_json_round_trip() -> None:
    net = Network.from_dict(VETH)
    back = Network.from_json(net.to_json())
    assert back == net
    assert json.loads(back.to_json()) == VETH


def test_zero_values_are_runcs_defaults() -> None:
    net = Network.from_dict({"type": "loopback"})
    assert net.to_dict() == {
        "type": "loopback", "name": "", "bridge": "", "mac_address": "", "address": "", "gateway": "",
        "ipv6_address": "", "ipv6_gateway": "", "mtu": 0, "txqueuelen": 0, "host_interface_name": "",
        "hairpin_mode": False,
    }  # fmt: skip


def test_temp_veth_peer_name_is_state_written_only_when_set() -> None:
    net = Network.from_dict({**VETH, "temp_veth_peer_name": "veth1a2b3c4"})
    assert net.to_dict()["temp_veth_peer_name"] == "veth1a2b3c4"
    assert Network.from_dict(net.to_dict()) == net
    assert "temp_veth_peer_name" not in Network.from_dict(VETH).to_dict()


def test_json_null_is_the_zero_value() -> None:
    assert Network.from_dict({"type": "loopback", "mtu": None, "name": None}) == Network("loopback")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"mac_address": "02:42:c6:33:64"}, "mac_address", "not a MAC address"),
        ({"mac_address": "01:00:5e:00:00:01"}, "mac_address", "multicast"),
        ({"mac_address": "00:00:00:00:00:00"}, "mac_address", "all-zero"),
        ({"address": "198.51.100.300/24"}, "address", "not an IPv4 address"),
        ({"address": "198.51.100.2"}, "address", "prefix length"),
        ({"address": "2001:db8::2/64"}, "address", "not an IPv4 address"),
        ({"address": "198.51.100.2/255.255.255.0"}, "address", "not an IPv4 address"),
        ({"address": "198.51.100.2/024"}, "address", "not an IPv4 address"),
        ({"address": "198.51.100.2/33"}, "address", "not an IPv4 address"),
        ({"address": "198.51.100.02/24"}, "address", "not an IPv4 address"),
        ({"ipv6_address": "fe80::2%eth0/64"}, "ipv6_address", "not an IPv6 address"),
        ({"ipv6_gateway": "fe80::1%eth0"}, "ipv6_gateway", "not an IPv6 address"),
        ({"gateway": "198.51.100.1\x00"}, "gateway", "not an IPv4 address"),
        ({"ipv6_address": "198.51.100.2/24"}, "ipv6_address", "not an IPv6 address"),
        ({"gateway": "2001:db8::1"}, "gateway", "not an IPv4 address"),
        ({"ipv6_gateway": "nonsense"}, "ipv6_gateway", "not an IPv6 address"),
        ({"address": "", "gateway": "198.51.100.1"}, "gateway", "needs an IPv4 address"),
        ({"mtu": 67}, "mtu", "out of range"),
        ({"mtu": 70000}, "mtu", "out of range"),
        ({"mtu": 1000}, "mtu", "1280"),
        ({"mtu": "1500"}, "mtu", "expected an integer"),
        ({"mtu": True}, "mtu", "expected an integer"),
        ({"txqueuelen": -1}, "txqueuelen", "out of range"),
        ({"hairpin_mode": "yes"}, "hairpin_mode", "true or false"),
        ({"name": "a-name-longer-than-15"}, "name", "longer than 15"),
        ({"name": "eth/0"}, "name", "not a valid interface name"),
        ({"name": "eth\x000"}, "name", "not a valid interface name"),
        ({"name": "eth\x7f"}, "name", "not a valid interface name"),
        ({"name": "eth\u200b0"}, "name", "not a valid interface name"),
        ({"name": "eth\udc80"}, "name", "not a valid interface name"),
        ({"bridge": "br 0"}, "bridge", "not a valid interface name"),
        ({"host_interface_name": ".."}, "host_interface_name", "not a valid interface name"),
        ({"host_interface_name": "veth-\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"}, "host_interface_name", "longer than 15"),
        ({"name": ""}, "name", "needs the interface's name"),
        ({"bridge": ""}, "bridge", "bridge is not specified"),
        ({"host_interface_name": "br0"}, "host_interface_name", "bridge's name"),
        ({"type": "macvlan"}, "type", "known: loopback, veth"),
        ({"type": ""}, "type", "missing"),
        ({"adress": "198.51.100.2/24"}, "adress", "unknown field"),
    ],
)
def test_validation_names_the_field(change: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(NetworkConfigError) as info:
        Network.from_dict({**VETH, **change})
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert words in str(info.value)
    assert isinstance(info.value, ValueError)


def test_hyphenated_mac_is_accepted() -> None:
    Network.from_dict({**VETH, "mac_address": "02-42-C6-33-64-02"}).validate()
    assert parse_mac("02-42-C6-33-64-02") == "02:42:c6:33:64:02"


def test_load_networks_list_and_object() -> None:
    nets = [{"type": "loopback"}, VETH]
    assert load_networks(nets) == load_networks({"networks": nets}) == [Network("loopback"), Network.from_dict(VETH)]


def test_load_networks_errors_say_which_network() -> None:
    with pytest.raises(NetworkConfigError, match=r"^networks\[1\]\.mac_address: ") as info:
        load_networks({"networks": [{"type": "loopback"}, {**VETH, "mac_address": "zz"}]})
    assert info.value.field == "networks[1].mac_address"
    with pytest.raises(NetworkConfigError, match="networks"):
        load_networks({"nets": []})
    with pytest.raises(NetworkConfigError, match=r"networks\[0\]: a network must be a JSON object"):
        load_networks([1])


def test_get_strategy_lists_the_known_ones() -> None:
    assert known_strategies() == ["loopback", "veth"]
    assert get_strategy("veth").type == "veth"
    with pytest.raises(ValueError, match=r"unknown network type 'ipvlan' \(known: loopback, veth\)"):
        get_strategy("ipvlan")
