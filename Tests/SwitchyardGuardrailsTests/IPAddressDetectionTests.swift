import SwitchyardGuardrails
import Testing

@Suite("PIIDetector: IP addresses")
struct IPAddressDetectionTests {
    @Test("IPv4 dotted quads are found", arguments: [
        Sample("host 192.168.1.1 is up", ["ip_address=192.168.1.1"]),
        Sample("IP 10.0.0.1.", ["ip_address=10.0.0.1"]),
        Sample("255.255.255.255", ["ip_address=255.255.255.255"]),
        Sample("0.0.0.0", ["ip_address=0.0.0.0"]),
    ])
    func ipv4(_ sample: Sample) {
        #expect(findings(in: sample.text) == sample.found)
    }

    @Test("octets above 255, leading zeros and version strings are not addresses", arguments: [
        "256.1.1.1", "1.2.3.4.5", "v1.2.3.4", "01.2.3.4", "1.2.3.04", "1.2.3", "1.2.3.4a",
    ])
    func notIPv4(_ text: String) {
        #expect(findings(in: text).isEmpty)
    }

    @Test("IPv6 in full and compressed forms is found, without a zone", arguments: [
        Sample("2001:db8::1", ["ip_address=2001:db8::1"]),
        Sample("::1", ["ip_address=::1"]),
        Sample("fe80::1%eth0", ["ip_address=fe80::1"]),
        Sample("2001:0db8:85a3:0000:0000:8a2e:0370:7334", ["ip_address=2001:0db8:85a3:0000:0000:8a2e:0370:7334"]),
        Sample("2001:db8:85a3::8a2e:370:7334", ["ip_address=2001:db8:85a3::8a2e:370:7334"]),
        Sample("::ffff:192.0.2.1", ["ip_address=::ffff:192.0.2.1"]),
        Sample("[2001:db8::1]:443", ["ip_address=2001:db8::1"]),
    ])
    func ipv6(_ sample: Sample) {
        #expect(findings(in: sample.text) == sample.found)
    }

    @Test("times, MAC addresses, scoped names and doubled compression are not IPv6", arguments: [
        "12:30", "at 12:30:45", "00:1a:2b:3c:4d:5e", "std::vector", "a:b:c", "1::2::3", "12345::1",
    ])
    func notIPv6(_ text: String) {
        #expect(findings(in: text).isEmpty)
    }
}
