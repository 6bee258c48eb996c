# Reference values of the education and health indicators (web/analyses/sectors.py), computed
# with R survey on demo_extract.csv: setara.demo.generate_survey(10_000, seed=5), provinces 32
# and 53 (written by tests/test_sectors.py::extract). Run: Rscript sectors_reference.R
# Output: sectors_expected.csv (indicator, estimate, se). R 4.2, survey 4.1-1.
library(survey)
options(survey.lonely.psu = "adjust")
d <- read.csv("demo_extract.csv", stringsAsFactors = FALSE)
for (v in c("enrolled", "outpatient_visit", "health_complaint", "health_insurance")) {
  d[[v]] <- as.numeric(d[[v]] == "true")
}
att <- d$enrolled
att[is.na(att)] <- 0
d$attending <- att
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = d)
out <- list()
add <- function(key, est) {
  out[[length(out) + 1]] <<- data.frame(indicator = key, estimate = coef(est)[[1]], se = SE(est)[[1]])
}
adults <- subset(des, age >= 25 & !is.na(years_schooling))
add("rls", svymean(~years_schooling, adults))
cuts <- list(att_none = c(0, 6), att_sd = c(6, 9), att_smp = c(9, 12), att_sma = c(12, 13), att_pt = c(13, 99))
for (k in names(cuts)) {
  lo <- cuts[[k]][1]; hi <- cuts[[k]][2]
  add(k, svymean(as.formula(sprintf("~I(as.numeric(years_schooling >= %d & years_schooling < %d))", lo, hi)), adults))
}
levels <- list(SD = c(7, 12), SMP = c(13, 15), SMA = c(16, 18), PT = c(19, 23))
for (l in names(levels)) {
  lo <- levels[[l]][1]; hi <- levels[[l]][2]
  num <- sprintf("~I(attending * (!is.na(school_level) & school_level == '%s'))", l)
  add(paste0("apm_", tolower(l)), svymean(as.formula(num), subset(des, age >= lo & age <= hi)))
  den <- sprintf("~I(as.numeric(age >= %d & age <= %d))", lo, hi)
  add(paste0("apk_", tolower(l)), svyratio(as.formula(num), as.formula(den), des))
}
add("oos", svymean(~I(1 - attending), subset(des, age >= 7 & age <= 18)))
add("dist_school", svymean(~dist_school_km, subset(des, age >= 7 & age <= 18)))
add("rate_health", svymean(~health_insurance, des))
add("outpatient", svymean(~outpatient_visit, des))
add("unmet", svymean(~I(health_complaint * (1 - outpatient_visit)), des))
schemes <- c("JKN PBI", "JKN non-PBI", "Jamkesda", "private", "none")
for (i in seq_along(schemes)) {
  add(paste0("scheme_", i - 1), svymean(as.formula(sprintf("~I(as.numeric(insurance_scheme == '%s'))", schemes[i])), des))
}
add("dist_health", svymean(~dist_health_km, des))
res <- do.call(rbind, out)
write.csv(format(res, digits = 15), "sectors_expected.csv", row.names = FALSE, quote = FALSE)
