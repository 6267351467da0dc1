package org.scepca.ca.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a scenario written for the embedded H2 store on PostgreSQL: a subclass of the scenario carrying this annotation
 * gets a fresh database of {@link PgCluster#shared()} from {@link TestStores#configFor}, and every test of the scenario
 * runs again against it, unchanged.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface OnPostgres {
}
