package io.azora.gateway;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The proxies whose {@code X-Forwarded-For} is believed ({@code http.trustedProxies}): addresses or CIDR
 * ranges (a Kubernetes ingress runs on a range of pod addresses), IPv4 or IPv6, matched with Netty's subnet
 * rule. Only IP literals are ever matched: a forwarded "hop" that is a host name is not looked up.
 */
final class TrustedProxies {

  private final List<IpSubnetFilterRule> ranges;

  TrustedProxies(List<String> entries) {
    this.ranges = entries.stream().map(TrustedProxies::range).toList();
  }

  private static IpSubnetFilterRule range(String entry) {
    String cidr = entry.strip();
    InetAddress address = NetUtil.createInetAddressFromIpAddressString(cidr.contains("/") ? cidr.substring(0, cidr.indexOf('/')) : cidr);
    if (address == null) {
      throw new IllegalArgumentException("http.trustedProxies: " + entry + " is not an IP address or CIDR range");
    }
    int bits = address.getAddress().length * 8;
    int prefix;
    try {
      prefix = cidr.contains("/") ? Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1)) : bits;
    } catch (NumberFormatException e) {
      prefix = -1;
    }
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("http.trustedProxies: " + entry + " has no valid prefix length");
    }
    return new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT);
  }

  boolean isEmpty() {
    return ranges.isEmpty();
  }

  /** True if {@code ip} (a literal, else false) is within a trusted range. */
  boolean trusts(String ip) {
    if (ranges.isEmpty() || ip == null) {
      return false;
    }
    InetAddress address = NetUtil.createInetAddressFromIpAddressString(ip.strip());
    if (address == null) {
      return false;
    }
    InetSocketAddress socket = new InetSocketAddress(address, 0);
    for (IpSubnetFilterRule range : ranges) {
      if (range.matches(socket)) {
        return true;
      }
    }
    return false;
  }
}
