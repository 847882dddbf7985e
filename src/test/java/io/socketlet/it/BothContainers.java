package io.socketlet.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs a test method once per {@link ContainerKind}: the method takes a {@code ContainerKind}
 * as its only parameter. Tests that need more parameters use {@code @ParameterizedTest} with a
 * {@code @MethodSource} built from {@link ContainerKind#selected()} instead.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "[{0}]")
@MethodSource("io.socketlet.it.ContainerKind#selected")
public @interface BothContainers {
}
