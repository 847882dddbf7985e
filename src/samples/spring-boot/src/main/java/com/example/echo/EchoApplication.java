package com.example.echo;

import io.socketlet.server.WebSocketMeterBinder;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;

/** A Spring Boot application with a WebSocket endpoint at /echo, on the embedded server, with its metrics. */
@SpringBootApplication
public class EchoApplication {

    public static void main(String[] args) {
        SpringApplication.run(EchoApplication.class, args);
    }

    @Bean
    public ServletRegistrationBean<EchoServlet> echoServlet() {
        ServletRegistrationBean<EchoServlet> bean = new ServletRegistrationBean<>(new EchoServlet(), "/echo");
        bean.setLoadOnStartup(1);
        return bean;
    }

    /** The endpoint's counters in Micrometer (the actuator's /actuator/metrics/socketlet.*). */
    @Bean
    public WebSocketMeterBinder webSocketMetrics() {
        return new WebSocketMeterBinder();
    }
}
