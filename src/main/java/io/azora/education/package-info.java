/** Education: courses, lessons, assessments, enrolment, progress and credentials (database azora_education). */
@ModuleGen(name = "azora-education", groupPackage = "io.azora")
package io.azora.education;

import io.vertx.codegen.annotations.ModuleGen;
