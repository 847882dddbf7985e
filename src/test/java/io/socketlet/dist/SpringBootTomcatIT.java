package io.socketlet.dist;

/** The sample Spring Boot application on Spring Boot's default embedded Tomcat (spring-boot-starter-tomcat). */
class SpringBootTomcatIT extends SpringBootChecks {

    @Override
    String embeddedServer() {
        return "tomcat";
    }
}
