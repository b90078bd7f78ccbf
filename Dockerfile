# cloudblame in a container: the CLI (`docker run --rm -v cloudblame:/data IMAGE blame ID`) and the scheduled
# run (`--entrypoint cloudblame-scheduled`: sync the config's sources, then send the owners their digest).
# docs/scheduled.md: cron, systemd, docker run and a Kubernetes CronJob.
#   docker build -t cloudblame .
#   docker build -t cloudblame --build-arg PIP_INDEX_URL=https://pypi.example/simple .   # a package mirror
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
# pip's index (ARGs are environment variables of the RUNs below): PyPI unless one is given
ARG PIP_INDEX_URL=https://pypi.org/simple
ARG PIP_EXTRA_INDEX_URL=
ARG PIP_TRUSTED_HOST=
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
RUN python -m venv /opt/cloudblame
WORKDIR /src
# The dependencies first, from pyproject.toml alone: a change to the code rebuilds only the layers after them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
        > /tmp/requirements.txt \
    && /opt/cloudblame/bin/pip install --requirement /tmp/requirements.txt
COPY README.md ./
COPY src ./src
COPY docker/cloudblame-scheduled.sh /opt/cloudblame/bin/cloudblame-scheduled
# pip and setuptools are not needed to run it: out of the image
RUN /opt/cloudblame/bin/pip install --no-deps . \
    && /opt/cloudblame/bin/python -m pip uninstall --yes --quiet pip setuptools \
    && chmod 0755 /opt/cloudblame/bin/cloudblame-scheduled \
    && /opt/cloudblame/bin/cloudblame --version

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="cloudblame" \
      org.opencontainers.image.description="git blame for an AWS account, built on CloudTrail"
# A user of its own; /data (the store) belongs to it, so a named volume mounted there is writable. Its home is
# readable by all, so `--user UID -e HOME=/home/cloudblame` finds a ~/.aws mounted there.
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/cloudblame cloudblame \
    && chmod 0755 /home/cloudblame \
    && mkdir /data && chown cloudblame:cloudblame /data
COPY --from=build /opt/cloudblame /opt/cloudblame
ENV PATH=/opt/cloudblame/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    CLOUDBLAME_DB=/data/cloudblame-store \
    CLOUDBLAME_CONFIG=/config/cloudblame.toml
USER cloudblame
WORKDIR /data
VOLUME ["/data"]
ENTRYPOINT ["cloudblame"]
CMD ["--help"]
