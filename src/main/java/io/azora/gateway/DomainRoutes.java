package io.azora.gateway;

import io.vertx.ext.web.Router;

/**
 * A domain's HTTP routes: API.md's section of the domain, mapped to calls of its service on the bus. The
 * class is named in verticles.json ({@code routes}) and built with the gateway's {@link Api}.
 */
interface DomainRoutes {

  void mount(Router router);
}
