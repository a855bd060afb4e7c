# The agent layer imagefleet builds on each instance's base image (the default for
# `imagefleet build` without --dockerfile). Build args imagefleet passes:
#   BASE_IMAGE  the instance's base image
#   SDIST       file name of the SDK sdist, placed next to this Dockerfile in every context
#   SDK_COMMIT  the SDK commit the sdist was built from
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG SDIST
ARG SDK_COMMIT
COPY ${SDIST} /opt/imagefleet/${SDIST}
RUN python3 -m pip install --no-cache-dir "/opt/imagefleet/${SDIST}" && rm "/opt/imagefleet/${SDIST}"
LABEL io.imagefleet.sdk-commit="${SDK_COMMIT}"
