"""anyvm run -p: parsing the forwards and the QEMU arguments they become."""

import pytest

from anyvm_lib import launch, publish


def test_forms():
    assert publish.parse("8080:80") == publish.Forward("tcp", "127.0.0.1", 8080, 80)
    assert publish.parse("0.0.0.0:8080:80/tcp") == publish.Forward("tcp", "0.0.0.0", 8080, 80)
    assert publish.parse("5353:53/udp") == publish.Forward("udp", "127.0.0.1", 5353, 53)
    assert publish.parse("8080:80").hostfwd() == "hostfwd=tcp:127.0.0.1:8080-:80"
    assert "open http://127.0.0.1:8080/" in publish.parse("8080:80").describe()
    assert "open" not in publish.parse("2222:22").describe()


@pytest.mark.parametrize("bad,message", [
    ("80", "expected [HOSTADDR:]HOSTPORT:GUESTPORT"),
    ("8080:80/sctp", "expected"),
    ("0:80", "host port 0"),
    ("8080:65536", "guest port 65536"),
    ("1.2.3:8080:80", "not an IPv4 address"),
    ("01.2.3.4:8080:80", "not an IPv4 address"),
    ("host:8080:80", "expected"),
])
def test_refused(bad, message):
    with pytest.raises(publish.PublishError, match=message.replace("[", r"\[")):
        publish.parse(bad)


def test_qemu_arguments_per_machine():
    fw = [publish.parse("8080:80"), publish.parse("5353:53/udp")]
    net = "user,id=u0,hostfwd=tcp:127.0.0.1:8080-:80,hostfwd=udp:127.0.0.1:5353-:53"
    assert publish.qemu_nic_args("microvm", fw) == [
        "-netdev", net, "-device", "virtio-net-device,netdev=u0"]
    assert publish.qemu_nic_args("pc", fw)[-1] == "virtio-net-pci-transitional,netdev=u0"
    q35 = publish.qemu_nic_args("q35", fw)
    assert "pcie-root-port,id=rpn,chassis=32,slot=32" in q35
    assert q35[-1] == "virtio-net-pci,netdev=u0,bus=rpn"


def test_nic_models_on_user_networking():
    fw = [publish.parse("8080:80")]
    assert publish.qemu_nic_args("pc", fw, "e1000")[-1] == "e1000,netdev=u0"
    assert publish.qemu_nic_args("pc", fw, "e1000-82545em")[-1] == "e1000-82545em,netdev=u0"
    q35 = publish.qemu_nic_args("q35", fw, "e1000e")
    assert "pcie-root-port,id=rpn,chassis=32,slot=32" in q35
    assert q35[-1] == "e1000e,netdev=u0,bus=rpn"
    with pytest.raises(publish.PublishError, match="PCI Express"):
        publish.qemu_nic_args("pc", fw, "e1000e")
    with pytest.raises(publish.PublishError, match="no PCI bus"):
        publish.qemu_nic_args("microvm", fw, "e1000")
    with pytest.raises(publish.PublishError, match="unknown NIC model"):
        publish.qemu_nic_args("pc", fw, "rtl8139")


def test_launch_refuses_what_cannot_be_set_up(tmp_path):
    img = tmp_path / "x.elf"
    img.write_bytes(b"\x7fELF")
    twice = [publish.parse("8080:80"), publish.parse("8080:81")]
    with pytest.raises(launch.BootError, match="given twice"):
        launch.prepare(launch.BootSpec(image=str(img), accel="tcg", forwards=twice), str(tmp_path))
    with pytest.raises(launch.BootError, match="hostsim attaches a NIC to a TAP"):
        launch.prepare(launch.BootSpec(image=str(img), target="firecracker", nic="user"),
                       str(tmp_path))
    with pytest.raises(launch.BootError, match="a NIC model needs a NIC"):
        launch.prepare(launch.BootSpec(image=str(img), accel="tcg", nic_model="e1000"),
                       str(tmp_path))
    argv = launch.prepare(launch.BootSpec(image=str(img), accel="tcg", nic="user"), str(tmp_path))
    assert "user,id=u0" in argv and "virtio-net-device,netdev=u0" in argv
