# The agent image imagefleet builds on each instance's base (the default for `imagefleet build`
# without --dockerfile). Build args imagefleet passes:
#   BASE_IMAGE  the instance's base image
#   SDIST       file name of the SDK sdist, placed next to this Dockerfile in every context
#   SDK_COMMIT  the SDK commit the sdist was built from
#
# The agent is made once per run in a builder stage: its own Python (uv's standalone build) and a
# virtualenv with the sdist installed, all under /opt/imagefleet-agent. The instance's own Python
# and packages stay as the benchmark expects them. The last stage only copies and configures, so
# `--builder auto` assembles every image in the registry (append). Put commands the agent needs on
# each base (a tool, a user) in a RUN after `FROM ${BASE_IMAGE}`: auto then builds them once per
# base as an env image and still appends the agent (phased).
ARG BASE_IMAGE
ARG AGENT_BUILDER=ghcr.io/astral-sh/uv:0.7.2-bookworm-slim
ARG AGENT_PYTHON=3.12

FROM ${AGENT_BUILDER} AS agent-builder
ARG SDIST
ARG AGENT_PYTHON
ENV UV_PYTHON_INSTALL_DIR=/opt/imagefleet-agent/python UV_LINK_MODE=copy UV_NO_CACHE=1
COPY ${SDIST} /tmp/agent/
RUN uv python install "${AGENT_PYTHON}" \
 && uv venv --python "${AGENT_PYTHON}" --relocatable /opt/imagefleet-agent/venv \
 && uv pip install --python /opt/imagefleet-agent/venv/bin/python "/tmp/agent/${SDIST}"

FROM ${BASE_IMAGE}
ARG SDK_COMMIT
COPY --from=agent-builder /opt/imagefleet-agent /opt/imagefleet-agent
# Last on PATH: the agent's commands are found, the instance's python stays first.
ENV PATH="${PATH}:/opt/imagefleet-agent/venv/bin"
LABEL io.imagefleet.sdk-commit="${SDK_COMMIT}"
